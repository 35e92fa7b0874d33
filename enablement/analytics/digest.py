"""The weekly digest for marketing and sales leads, built from the current run."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from assets.choices import Role
from enablement.analytics import gaps, scorecard, selectors
from enablement.analytics.fitness import fit_summary
from enablement.analytics.models import AssetStageMetric
from enablement.analytics.wording import verdict_sentence
from enablement.choices import Verdict


def digest_context() -> dict | None:
    run = selectors.current_run()
    if run is None:
        return None
    today = timezone.localdate()
    recent = scorecard.funnel(run, scorecard.FunnelFilters(start=today - timedelta(days=30)))["stages"]
    before = scorecard.funnel(
        run, scorecard.FunnelFilters(start=today - timedelta(days=60), end=today - timedelta(days=31))
    )["stages"]
    changes = []
    for now, then in zip(recent, before, strict=True):
        changes.append(
            {
                "stage": now["stage"],
                "entered": now["entered"],
                "rate": now["conversion_rate"],
                "before": then["conversion_rate"],
            }
        )
    judged = (
        AssetStageMetric.objects.filter(run=run)
        .exclude(verdict=Verdict.TOO_LITTLE)
        .select_related("asset", "stage")
    )
    deals, _ = selectors.stalled_deals(run, limit=None)
    return {
        "run": run,
        "changes": changes,
        "fit": fit_summary(run),
        "top": [
            verdict_sentence(m) + f" ({m.asset.title})"
            for m in judged.filter(verdict=Verdict.HELPS).order_by("-adjusted_lift")[:3]
        ],
        "bottom": [verdict_sentence(m) + f" ({m.asset.title})" for m in judged.order_by("adjusted_lift")[:3]],
        "gaps": gaps.build_next(gaps.coverage(run), limit=3),
        "stalled": len(deals),
        "site": settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost",
    }


def digest_recipients() -> list[str]:
    users = User.objects.filter(is_active=True, groups__name__in=[Role.MARKETING, Role.ADMINS]).exclude(
        email=""
    )
    return sorted(set(users.values_list("email", flat=True)))


def digest_send() -> int:
    """Send the digest to every active marketing and admin user with an email; returns how many."""
    context, recipients = digest_context(), digest_recipients()
    if context is None or not recipients:
        return 0
    body = render_to_string("analytics/digest.txt", context)
    message = EmailMultiAlternatives(
        "Weekly enablement digest", body, to=[settings.DEFAULT_FROM_EMAIL], bcc=recipients
    )
    message.send()
    return len(recipients)
