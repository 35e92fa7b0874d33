"""Writes of share links and the buyer views they record."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assets.audience import internal_refusal
from assets.choices import AssetStatus
from assets.models import Asset
from config.audit.services import audit_record
from enablement import webhook_events
from enablement.choices import UsageAction, UsageSource
from enablement.deals.models import Deal
from enablement.sharing.models import ShareLink, ShareView
from enablement.usage.rules import usage_after_close
from enablement.usage.services import usage_record

# How long a share link lasts, in days: the portal's form offers this range and the service holds to it.
SHARE_DAYS_MIN, SHARE_DAYS_MAX, SHARE_DAYS_DEFAULT = 1, 365, 30


def share_days_refusal(days: int) -> str | None:
    """Why a link cannot last `days`, or None; forms ask this to show the reason on the form."""
    if not SHARE_DAYS_MIN <= days <= SHARE_DAYS_MAX:
        return f"A share link lasts between {SHARE_DAYS_MIN} and {SHARE_DAYS_MAX} days."
    return None


def share_days_until(expires_at: datetime | None, *, now: datetime | None = None) -> int:
    """The whole days a link expiring at `expires_at` lasts (the admin's form asks for the date);
    none given: the default."""
    if expires_at is None:
        return SHARE_DAYS_DEFAULT
    return (expires_at - (now or timezone.now())).days


def share_link_refusal(*, asset: Asset, deal: Deal, at: datetime | None = None) -> str | None:
    """Why `asset` cannot be shared in `deal` now, or None. Sharing counts as using the asset, so a
    closed deal refuses it as it refuses usage; forms ask this to show the reason on the form."""
    if asset.status != AssetStatus.PUBLISHED:
        return f"“{asset}” is not published, so it cannot be shared."
    if problem := internal_refusal(asset):
        return problem
    return usage_after_close(
        deal_label=deal.external_id, closed_at=deal.closed_at, occurred_at=at or timezone.now()
    )


@transaction.atomic
def share_link_create(
    *,
    asset: Asset,
    deal: Deal,
    by: AbstractBaseUser,
    days: int = SHARE_DAYS_DEFAULT,
    allow_download: bool = True,
) -> ShareLink:
    """A tracked link to one asset for one deal's buyer; sharing counts as the rep using the asset."""
    if problem := share_link_refusal(asset=asset, deal=deal):
        raise ValidationError(problem)
    if problem := share_days_refusal(days):
        raise ValidationError({"days": problem})
    link = ShareLink.objects.create(
        asset=asset,
        deal=deal,
        created_by=by,
        allow_download=allow_download,
        expires_at=timezone.now() + timedelta(days=days),
    )
    usage_record(
        event_id=f"share-link-{link.pk}",
        asset=asset,
        deal=deal,
        rep=by,
        action=UsageAction.SHARED,
        occurred_at=link.created_at,
        source=UsageSource.SHARE_LINK,
    )
    audit_record(
        event="share.created", target=link, by=by, data={"asset": asset.slug, "deal": deal.external_id}
    )
    return link


def share_link_revoke(*, link: ShareLink, by: AbstractBaseUser | None = None) -> ShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_record(event="share.withdrawn", target=link, by=by)
    return link


def viewer_hash(address: str) -> str:
    """A keyed hash of the viewer's address: repeat views can be told apart, the address is not kept."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


VIEW_KEY_MAX_AGE = 24 * 3600  # a page left open in a background tab may report when it is first shown


def share_view_key(link: ShareLink) -> str:
    """A one-off id for one serving of the buyer's page, signed for this link: the page's script
    sends it back to report that the page ran (`share_view_confirm`)."""
    return signing.dumps(secrets.token_urlsafe(24), salt=f"share-view:{link.token}")


def share_view_confirm(*, link: ShareLink, signed_key: str, viewer_address: str) -> ShareView:
    """Record the view the page's script reports with the key it was served with.

    Only a live link takes a view, and only with a key served for this link within a day; a key sent
    again (a retry, a replay) is the same view, counted once."""
    if reason := link.unavailable_reason():
        raise ValidationError(f"This link is no longer live ({reason}).")
    try:
        key = signing.loads(str(signed_key)[:200], salt=f"share-view:{link.token}", max_age=VIEW_KEY_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        raise ValidationError(
            {"view": "This page's view key is not valid for this link; reload the page."}
        ) from None
    return share_view_record(link=link, key=key, viewer_address=viewer_address)


def share_view_record(
    *, link: ShareLink, key: str, viewer_address: str, at: datetime | None = None
) -> ShareView:
    """The one write of a buyer's view; `key` names the page load, so recording it twice is one view."""
    at = at or timezone.now()
    if reason := link.unavailable_reason(at):
        raise ValidationError(f"This link is no longer live ({reason}).")
    view, created = ShareView.objects.get_or_create(
        key=key, defaults={"link": link, "viewed_at": at, "viewer_hash": viewer_hash(viewer_address)}
    )
    if view.link_id != link.pk:
        raise ValidationError({"view": "This view belongs to another link."})
    if created:  # a report sent twice is one view, and one event
        webhook_events.share_viewed(view)
    return view
