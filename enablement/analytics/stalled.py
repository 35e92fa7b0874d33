"""Stalled deals: open deals in their stage for longer than three in four of the deals that advanced
from it (the run's 75th percentile of days), paged on the page and streamed as a CSV for nurture.

When each deal entered its current stage is one grouped pass over the history of the open deals,
narrow columns only (deal, stage, latest entry), filtered on the stages' thresholds and sorted
there; the deals' names, accounts and owners are read afterwards for the rows shown or written
(docs/analytics-pages.md)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import reduce
from itertools import islice
from operator import or_

from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from config.csv_export import SafeCsvWriter
from enablement.analytics.models import AnalyticsRun, AssetStageMetric, StageMetric
from enablement.analytics.states import moment_of
from enablement.choices import ExposureKind, Verdict
from enablement.deals.models import Deal, StageChange

CSV_CHUNK = 2000
CSV_COLUMNS = [
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


def thresholds(run: AnalyticsRun | None) -> dict[int, float]:
    """Each stage's 75th percentile of days in the run, where it has one."""
    metrics = StageMetric.objects.filter(run=run, p75_days__isnull=False).values_list("stage_id", "p75_days")
    return {stage_id: days for stage_id, days in metrics if days}


def stalled_rows(limits: dict[int, float], now: datetime, stage_id: int | None = None) -> QuerySet:
    """{deal_id, stage_id, since} of each stalled open deal (`stage_id`: of that stage only), the
    longest stalled first: when it last entered its current stage, read by grouping the history."""
    slow = reduce(or_, (Q(stage_id=s, since__lt=now - timedelta(days=d)) for s, d in limits.items()))
    changes = StageChange.objects.filter(deal__closed_at__isnull=True, stage_id=F("deal__current_stage_id"))
    if stage_id is not None:
        changes = changes.filter(stage_id=stage_id)
    return (
        changes.values("deal_id", "stage_id")
        .annotate(since=Max("entered_at"))
        .filter(slow)
        .order_by("since", "deal_id")
    )


def deals_of(rows: Iterable[dict], limits: dict[int, float], now: datetime) -> list[Deal]:
    """The deals of these rows in their order, with `days_in_stage` and `p75` (one query)."""
    rows = list(rows)
    deals = Deal.objects.select_related("account", "owner", "current_stage").in_bulk(
        [r["deal_id"] for r in rows]
    )
    shown = []
    for row in rows:
        deal = deals.get(row["deal_id"])
        if deal is None:  # deleted since the rows were read (a CSV streams for a while)
            continue
        deal.days_in_stage = (now - moment_of(row["since"])).total_seconds() / 86400
        deal.p75 = limits.get(row["stage_id"])
        shown.append(deal)
    return shown


def higher_conversion(run: AnalyticsRun | None) -> dict[int, list]:
    """Per stage, the assets with higher conversion there, the largest adjusted lift first."""
    helps: dict[int, list] = {}
    for m in (
        AssetStageMetric.objects.filter(run=run, verdict=Verdict.HELPS, exposure=ExposureKind.USED)
        .select_related("asset")
        .order_by("-adjusted_lift")
    ):
        helps.setdefault(m.stage_id, []).append(m.asset)
    return helps


def csv_chunks(run: AnalyticsRun | None, stage_id: int | None = None) -> Iterator[str]:
    """The nurture CSV, a few thousand rows at a time: the grouped rows come by a cursor and each
    chunk's deals in one query, so memory holds one chunk whatever the number of deals."""
    now, limits, helps = timezone.now(), thresholds(run), higher_conversion(run)
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    if not limits:
        return
    rows = stalled_rows(limits, now, stage_id).iterator(chunk_size=CSV_CHUNK)
    while chunk := list(islice(rows, CSV_CHUNK)):
        buffer.seek(0)
        buffer.truncate()
        for d in deals_of(chunk, limits, now):
            writer.writerow(
                [
                    d.external_id,
                    d.name,
                    d.account.name if d.account else "",
                    d.owner.email if d.owner else "",
                    d.current_stage.slug,
                    round(d.days_in_stage, 1),
                    round(d.p75, 1),
                    d.amount or "",
                    d.currency,
                    ";".join(a.slug for a in helps.get(d.current_stage_id, [])),
                ]
            )
        yield buffer.getvalue()
