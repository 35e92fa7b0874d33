"""Review dates: each owner hears of their published assets past their review-by date."""

from __future__ import annotations

from datetime import date

from django.core.mail import send_mass_mail

from assets.models import Asset
from assets.selectors import assets_due_for_review
from assets.services import asset_data
from config.webhooks.services import webhook_emit, webhook_wanted


def review_reminders_send(*, today: date) -> int:
    """Email each owner the list of their published assets whose review-by date has passed."""
    by_owner: dict[str, list[Asset]] = {}
    announce = webhook_wanted("asset.review_due")
    for asset in assets_due_for_review(today=today):
        if announce:
            webhook_emit(
                event="asset.review_due",
                data=asset_data(asset),
                summary=f"“{asset.title}” is due for review.",
            )
        if asset.owner is not None and asset.owner.email:
            by_owner.setdefault(asset.owner.email, []).append(asset)
    mails = []
    for email, due in by_owner.items():
        lines = "\n".join(f"- {a.title} (review by {a.review_by:%d %b %Y})" for a in due)
        mails.append(
            (
                f"{len(due)} asset(s) due for review",
                f"These assets you own are past their review date:\n\n{lines}\n",
                None,
                [email],
            )
        )
    send_mass_mail(mails, fail_silently=False)
    return len(mails)
