"""The stalled deals and unused assets as the pages read them before they were paged (a subquery per
open deal; every usage event joined to the assets' rows), to compare the new pages with."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from assets.choices import AssetStatus
from assets.models import Asset
from config.csv_export import SafeCsvWriter
from enablement.analytics.models import AnalyticsRun, AssetStageMetric, StageMetric
from enablement.choices import ExposureKind, Verdict
from enablement.models import Deal, StageChange


def old_stalled(run: AnalyticsRun) -> QuerySet[Deal]:
    now = timezone.now()
    thresholds = {m.stage_id: m.p75_days for m in StageMetric.objects.filter(run=run) if m.p75_days}
    entered = (
        StageChange.objects.filter(deal=OuterRef("pk"), stage=OuterRef("current_stage"))
        .order_by("-entered_at")
        .values("entered_at")[:1]
    )
    slow = Q(pk__in=[])
    for stage_id, days in thresholds.items():
        slow |= Q(current_stage_id=stage_id, in_stage_since__lt=now - timedelta(days=days))
    return (
        Deal.objects.filter(closed_at__isnull=True)
        .annotate(in_stage_since=Subquery(entered))
        .filter(slow)
        .select_related("account", "owner", "current_stage")
        .order_by("in_stage_since")
    )


def old_stalled_csv(run: AnalyticsRun) -> list[list[str]]:
    """The nurture CSV as the page wrote it before it streamed."""
    now = timezone.now()
    thresholds = {m.stage_id: m.p75_days for m in StageMetric.objects.filter(run=run) if m.p75_days}
    helps: dict[int, list] = {}
    for m in AssetStageMetric.objects.filter(
        run=run, verdict=Verdict.HELPS, exposure=ExposureKind.USED
    ).order_by("-adjusted_lift"):
        helps.setdefault(m.stage_id, []).append(m.asset)
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(
        [
            "deal_id",
            "deal",
            "account",
            "owner_email",
            "stage",
            "days_in_stage",
            "stage_p75_days",
            "amount",
            "currency",
            "assets_with_higher_conversion",
        ]
    )
    for d in old_stalled(run):
        days = (now - d.in_stage_since).total_seconds() / 86400
        writer.writerow(
            [
                d.external_id,
                d.name,
                d.account.name if d.account else "",
                d.owner.email if d.owner else "",
                d.current_stage.slug,
                round(days, 1),
                round(thresholds[d.current_stage_id], 1),
                d.amount or "",
                d.currency,
                ";".join(a.slug for a in helps.get(d.current_stage_id, [])),
            ]
        )
    return list(csv.reader(io.StringIO(out.getvalue())))


def old_unused() -> list[Asset]:
    cutoff = timezone.now() - timedelta(days=90)
    published = Asset.objects.filter(status=AssetStatus.PUBLISHED).select_related("owner")
    return list(
        published.annotate(last_used=Max("usage_events__occurred_at"))
        .filter(Q(last_used__lt=cutoff) | Q(last_used__isnull=True))
        .order_by("last_used", "title")
    )
