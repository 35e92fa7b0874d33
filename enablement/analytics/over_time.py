"""Change over time: the funnel by quarter of entering each stage (conversion and median days), and an
asset's uses and buyer reads per month with the adjusted lift of each quarter's entries.

The quarterly lifts come from the run's stored inputs (FigureState: the asset's exposed counts and the
stage's cohort at risk, both per owner × quarter), so they cost no pass over the entries: a quarter's
strata are the owner × quarter strata of that quarter, and the Mantel–Haenszel difference over them is
that quarter's adjusted lift. Quarters before an asset came (and the quarter it came in, whose
comparable part the stored inputs do not split) are left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth

from assets.models import Asset, FunnelStage
from enablement.analytics import sql, stats
from enablement.analytics.models import (
    AnalyticsRun,
    AssetStageMetric,
    FigureState,
    StageEntry,
    StageMetric,
)
from enablement.analytics.states import STAGE, cut_of, strata_in
from enablement.choices import ExposureKind, Outcome, Verdict
from enablement.rooms.models import PageView
from enablement.usage.models import UsageEvent


def quarter_label(quarter: int) -> str:
    """year × 4 + quarter − 1 as people write it: "2025 Q3"."""
    return f"{quarter // 4} Q{quarter % 4 + 1}"


def _medians(entries: QuerySet[StageEntry]) -> dict[tuple[int, int], float]:
    """The median days of advanced entries per (stage, quarter): the mean of the lower and upper
    middle values (equal when the count is odd)."""
    advanced = entries.filter(outcome=Outcome.ADVANCED)
    if sql.postgres():  # one ordered-set aggregate per group, no window over every advanced entry
        source, params = advanced.values("stage_id", "quarter", "days").query.sql_with_params()
        return {
            (stage_id, quarter): (float(lower) + float(upper)) / 2
            for stage_id, quarter, lower, upper in sql.read_rows(
                "SELECT e.stage_id, e.quarter, percentile_disc(0.5) WITHIN GROUP (ORDER BY e.days), "
                f"percentile_disc(0.5) WITHIN GROUP (ORDER BY e.days DESC) FROM ({source}) e "
                "GROUP BY e.stage_id, e.quarter",
                params,
            )
        }
    part = {"partition_by": [F("stage_id"), F("quarter")]}
    middle = (
        advanced.annotate(
            rn=Window(RowNumber(), order_by=[F("days").asc(), F("pk").asc()], **part),
            cnt=Window(Count("pk"), **part),
        )
        .filter(rn__gte=(F("cnt") + 1) / 2, rn__lte=(F("cnt") + 2) / 2)
        .values_list("stage_id", "quarter", "days")
    )
    picked: dict[tuple[int, int], list[float]] = {}
    for stage_id, quarter, days in middle:
        picked.setdefault((stage_id, quarter), []).append(float(days))
    return {key: sum(days) / len(days) for key, days in picked.items()}


def _counted(entries: QuerySet[StageEntry], *keys: str) -> QuerySet:
    return (
        entries.values("stage_id", *keys)
        .annotate(
            entered=Count("pk"),
            advanced=Count("pk", filter=Q(outcome=Outcome.ADVANCED)),
            lost=Count("pk", filter=Q(outcome=Outcome.LOST)),
        )
        .order_by()
    )


def _with_medians(
    counts: dict[int, dict[str, list[int]]], medians: dict[tuple[int, int], float]
) -> dict[int, dict[str, list]]:
    return {
        stage_id: {q: [*cell, medians.get((stage_id, int(q)))] for q, cell in quarters.items()}
        for stage_id, quarters in counts.items()
    }


def quarter_figures(entries: QuerySet[StageEntry]) -> dict[int, dict[str, list]]:
    """Per stage and quarter of entering it (the quarter as a string, JSON's keys being strings):
    [entered, advanced, lost, median days of those advanced or None]."""
    counts: dict[int, dict[str, list[int]]] = {}
    for r in _counted(entries, "quarter"):
        counts.setdefault(r["stage_id"], {})[str(r["quarter"])] = [r["entered"], r["advanced"], r["lost"]]
    return _with_medians(counts, _medians(entries))


def month_and_quarter_figures(
    entries: QuerySet[StageEntry],
) -> tuple[dict[int, dict[str, list[int]]], dict[int, dict[str, list]]]:
    """scorecard.monthly_counts and quarter_figures of the same entries, their counts from one pass
    grouped by stage, quarter and month (what a run stores: stage_figures)."""
    months: dict[int, dict[str, list[int]]] = {}
    quarters: dict[int, dict[str, list[int]]] = {}
    for r in _counted(entries.annotate(month=TruncMonth("entered_at")), "quarter", "month"):
        counted = (r["entered"], r["advanced"], r["lost"])
        for per_stage, key in ((months, r["month"].strftime("%Y-%m")), (quarters, str(r["quarter"]))):
            cell = per_stage.setdefault(r["stage_id"], {}).setdefault(key, [0, 0, 0])
            cell[:] = [a + b for a, b in zip(cell, counted, strict=True)]
    return months, _with_medians(quarters, _medians(entries))


def stored_quarter_figures(run: AnalyticsRun) -> dict[int, dict[str, list]] | None:
    """The whole funnel's quarter_figures as the run stored them (stage_figures); None for a run
    made before they were stored."""
    stored = dict(StageMetric.objects.filter(run=run).order_by().values_list("stage_id", "by_quarter"))
    return None if None in stored.values() else stored


def funnel_by_quarter(figures: dict[int, dict[str, list]], stages: list[FunnelStage]) -> dict:
    """Per stage and quarter of entering it: entered, conversion and median days of those advanced,
    from `quarter_figures` (of the page's entries, or stored by the run)."""
    quarters = sorted({int(q) for per_stage in figures.values() for q in per_stage})
    table = []
    for stage in stages:
        cells = []
        for q in quarters:
            entered, advanced, lost, median_days = figures.get(stage.pk, {}).get(str(q), (0, 0, 0, None))
            rate = stats.rate(advanced, advanced + lost)
            cells.append({"entered": entered, "rate": rate, "median_days": median_days})
        table.append({"stage": stage, "cells": cells})
    return {
        "quarters": [quarter_label(q) for q in quarters],
        "table": table,
        "chart": {
            "labels": [quarter_label(q) for q in quarters],
            "days": {row["stage"].name: [c["median_days"] for c in row["cells"]] for row in table},
            "conversion": {row["stage"].name: [c["rate"] for c in row["cells"]] for row in table},
        },
    }


def asset_activity(asset: Asset) -> dict:
    """Uses per month (by when they happened) and buyer reads per month (visits that read it, by when
    the visit started)."""
    uses = dict(
        UsageEvent.objects.filter(asset=asset)
        .annotate(month=TruncMonth("occurred_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
        .order_by()
    )
    reads = dict(
        PageView.objects.filter(asset=asset, seconds__gt=0, visit__events__gt=0)
        .annotate(month=TruncMonth("visit__started_at"))
        .values_list("month")
        .annotate(n=Count("visit", distinct=True))
        .values_list("month", "n")
        .order_by()
    )
    months = sorted({m.date().replace(day=1) for m in [*uses, *reads]})
    by = {m.date().replace(day=1): n for m, n in uses.items()}
    read_by = {m.date().replace(day=1): n for m, n in reads.items()}
    labels = [f"{m:%b %Y}" for m in months]
    return {
        "labels": labels,
        "uses": [by.get(m, 0) for m in months],
        "reads": [read_by.get(m, 0) for m in months],
        "rows": [(label, by.get(m, 0), read_by.get(m, 0)) for label, m in zip(labels, months, strict=True)],
    }


@dataclass
class QuarterLift:
    stage: FunnelStage
    quarter: str
    lift: float | None
    low: float | None
    high: float | None
    exposed: int  # resolved deals that used it, in the strata with both groups
    unexposed: int


def quarters_chart(lifts: list[QuarterLift]) -> dict:
    """The quarters with enough data, for the forest plot's script (one neutral colour)."""
    shown = [q for q in lifts if q.lift is not None]
    return {
        "labels": [f"{q.stage.name} · {q.quarter}" for q in shown],
        "points": [q.lift for q in shown],
        "low": [q.low for q in shown],
        "high": [q.high for q in shown],
        "verdicts": ["" for _ in shown],
        "interval": "95% interval of each quarter on its own",
    }


def quarterly_lifts(run: AnalyticsRun | None, asset: Asset) -> list[QuarterLift]:
    """For each stage where the asset has a verdict (used by reps), each quarter's adjusted lift with
    its 95% interval where that quarter has enough data, else its counts only."""
    if run is None:
        return []
    judged = (
        AssetStageMetric.objects.filter(run=run, asset=asset, exposure=ExposureKind.USED)
        .exclude(verdict=Verdict.TOO_LITTLE)
        .select_related("stage")
    )
    found = []
    for m in judged.order_by("stage__order"):
        states = dict(
            FigureState.objects.filter(
                run=run, stage=m.stage, asset_id__in=[STAGE, asset.pk], exposure=ExposureKind.USED
            ).values_list("asset_id", "state")
        )
        if STAGE not in states or asset.pk not in states:
            continue
        found += _quarters(run, m.stage, asset, states[STAGE], states[asset.pk])
    return found


def _quarters(
    run: AnalyticsRun, stage: FunnelStage, asset: Asset, cohort: dict, pair: dict
) -> list[QuarterLift]:
    exposed, everyone = strata_in(pair["exposed"]), strata_in(cohort["strata"])
    available = run.available.get(str(asset.pk))
    landmark = next((s.landmark_days for s in run.stage_metrics.filter(stage=stage)), None)
    came = datetime.fromisoformat(available) if available else None
    cut = cut_of(came, landmark, datetime.fromisoformat(cohort["first"]))
    after = sql.quarter_of(cut) if cut else None
    minimum = settings.ANALYTICS_MIN_DEALS
    result = []
    for quarter in sorted({q for _, q in everyone}):
        if after is not None and quarter <= after:
            continue
        table, n1, n0 = [], 0, 0
        for (owner, q), total in everyone.items():
            if q != quarter:
                continue
            e = exposed.get((owner, q))
            a, b = (e.advanced, e.lost) if e else (0, 0)
            c, d = total.advanced - a, total.lost - b
            table.append(stats.Stratum(a, b, c, d))
            if (a + b) and (c + d):
                n1, n0 = n1 + a + b, n0 + c + d
        estimate = stats.mantel_haenszel_rd_ci(table) if n1 >= minimum and n0 >= minimum else None
        lift, low, high = estimate if estimate else (None, None, None)
        result.append(QuarterLift(stage, quarter_label(quarter), lift, low, high, n1, n0))
    return result
