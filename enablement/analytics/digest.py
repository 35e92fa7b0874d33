"""The weekly digest for marketing and sales leads, built from the current run."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db.models import Case, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from assets.choices import Role
from enablement.analytics import gaps, scorecard, selectors, stalled
from enablement.analytics.actions import actions
from enablement.analytics.fitness import fit_summary
from enablement.analytics.models import AssetStageMetric
from enablement.analytics.wording import verdict_sentence
from enablement.choices import ExposureKind, Verdict


def week_of(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def weeks_back(n: int = 12) -> list[date]:
    """The Mondays of this week and the n − 1 before, latest first: the weeks a reader can choose."""
    this = week_of(timezone.localdate())
    return [this - timedelta(weeks=k) for k in range(n)]


def digest_context(*, week: date | None = None) -> dict | None:
    """The digest of the week starting on Monday `week` (this week without one): the funnel over the
    30 days to the week's last day against the 30 before; verdicts, what to do now, gaps and stalled
    deals from the current analytics."""
    run = selectors.current_run()
    if run is None:
        return None
    start = week_of(week or timezone.localdate())
    end = min(start + timedelta(days=6), timezone.localdate())
    recent = scorecard.funnel(run, scorecard.FunnelFilters(start=end - timedelta(days=29), end=end))["stages"]
    before = scorecard.funnel(
        run, scorecard.FunnelFilters(start=end - timedelta(days=59), end=end - timedelta(days=30))
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
        AssetStageMetric.objects.filter(run=run, exposure=ExposureKind.USED)
        .exclude(verdict=Verdict.TOO_LITTLE)
        .select_related("asset", "stage")
    )
    helping = judged.filter(verdict=Verdict.HELPS).order_by("-adjusted_lift")
    # lower conversion first, then the lowest adjusted lifts of the rest
    hurts_first = Case(When(verdict=Verdict.HURTS, then=Value(0)), default=Value(1))
    lowest = judged.order_by(hurts_first, "adjusted_lift")
    limits = stalled.thresholds(run)
    stalled_count = stalled.stalled_rows(limits, timezone.now()).count() if limits else 0
    grid = gaps.coverage(run)
    return {
        "run": run,
        "week": start,
        "week_end": end,
        "changes": changes,
        "fit": fit_summary(run),
        "todo": actions(run, grid),
        "top": [(m, verdict_sentence(m)) for m in helping[:3]],
        "bottom": [(m, verdict_sentence(m)) for m in lowest[:3]],
        "gaps": gaps.build_next(grid, limit=3),
        "stalled": stalled_count,
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
