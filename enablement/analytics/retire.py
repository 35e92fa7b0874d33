"""Retire or refresh: published assets unused for a while, rows with lower conversion, and assets
whose review date has passed, each list paged (enablement.analytics.paging).

"Unused" reads each asset's last use as the run stored it (AssetLastUse) with the events recorded
since, grouped by asset before the published assets are joined to it, instead of joining every event
to the assets and grouping their wide rows (docs/analytics-pages.md)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from assets.choices import AssetStatus
from assets.models import Asset
from enablement.analytics import sql
from enablement.analytics.models import AnalyticsRun, AssetLastUse, AssetStageMetric
from enablement.analytics.paging import SqlRows
from enablement.analytics.states import moment_of
from enablement.choices import ExposureKind, Verdict
from enablement.usage.models import UsageEvent

UNUSED_DAYS = 90

UNUSED_SQL = """
SELECT a.id AS pk, a.title, u.last_used FROM {asset} a
LEFT JOIN ({last_uses}) u ON u.asset_id = a.id
WHERE a.status = %s AND (u.last_used IS NULL OR u.last_used < %s)
ORDER BY u.last_used IS NOT NULL, u.last_used, a.title, a.id
"""
# Each asset's last use: the run's stored one, or the events recorded since its watermark (by the
# usage table's index on recorded_at), whichever is later.
STORED_LAST_USES = """
SELECT asset_id, MAX(last_used) AS last_used FROM (
    SELECT asset_id, last_used FROM {last_use} WHERE run_id = %s
    UNION ALL
    SELECT asset_id, MAX(occurred_at) FROM {usage} WHERE recorded_at >= %s GROUP BY asset_id
) recent GROUP BY asset_id
"""
# Without a run to start from (or after usage was deleted, which no stored figure shows): every event.
ALL_LAST_USES = "SELECT asset_id, MAX(occurred_at) AS last_used FROM {usage} GROUP BY asset_id"


class UnusedRows(SqlRows):
    """Published assets not used in UNUSED_DAYS, never used first, then the longest unused."""

    def __init__(self, run: AnalyticsRun | None) -> None:
        tables = {
            "asset": Asset._meta.db_table,
            "usage": UsageEvent._meta.db_table,
            "last_use": AssetLastUse._meta.db_table,
        }
        if run is not None and run.watermark is not None:
            last_uses, params = STORED_LAST_USES.format(**tables), [run.pk, sql.moment(run.watermark)]
        else:
            last_uses, params = ALL_LAST_USES.format(**tables), []
        cutoff = timezone.now() - timedelta(days=UNUSED_DAYS)
        statement = UNUSED_SQL.format(last_uses=last_uses, **tables)
        super().__init__(statement, [*params, AssetStatus.PUBLISHED, sql.moment(cutoff)])

    def __getitem__(self, window: slice) -> list[dict]:
        rows = super().__getitem__(window)
        for row in rows:  # SQLite hands back text
            row["last_used"] = moment_of(row["last_used"]) if row["last_used"] is not None else None
        return rows


def lower_conversion(run: AnalyticsRun | None) -> QuerySet[AssetStageMetric]:
    return (
        AssetStageMetric.objects.filter(run=run, verdict=Verdict.HURTS, exposure=ExposureKind.USED)
        .select_related("asset", "stage")
        .only(
            "adjusted_lift",
            "exposed_rate",
            "unexposed_rate",
            "asset__slug",
            "asset__title",
            "stage__name",
        )
        .order_by("adjusted_lift", "pk")
    )


def review_passed() -> QuerySet[Asset]:
    return (
        Asset.objects.filter(status=AssetStatus.PUBLISHED, review_by__lt=timezone.localdate())
        .select_related("owner")
        .only("title", "review_by", "owner__username", "owner__first_name", "owner__last_name")
        .order_by("review_by", "pk")
    )
