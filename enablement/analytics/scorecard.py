"""The funnel scorecard: per stage entered, advanced, lost, open, conversion and median days, with a
monthly trend, over the current run's entries and the page's filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth

from assets.models import FunnelStage
from enablement.analytics.models import AnalyticsRun, StageEntry, StageMetric, Team
from enablement.choices import Outcome
from enablement.deals.models import Deal


@dataclass
class FunnelFilters:
    start: date | None = None
    end: date | None = None
    industry: str = ""
    region: str = ""
    team: int | None = None
    profile: str = ""  # "in" / "out": deals in / out of the approved ideal buyer profile, as scored now


def filtered_entries(run: AnalyticsRun, f: FunnelFilters) -> QuerySet[StageEntry]:
    qs = StageEntry.objects.filter(run=run)
    if f.start:
        qs = qs.filter(entered_at__date__gte=f.start)
    if f.end:
        qs = qs.filter(entered_at__date__lte=f.end)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.region:
        qs = qs.filter(region=f.region)
    if f.profile in ("in", "out"):
        qs = qs.filter(deal_id__in=Deal.objects.filter(in_profile=f.profile == "in").values("pk"))
    if f.team:
        qs = qs.filter(owner_id__in=Team.members.through.objects.filter(team_id=f.team).values("user_id"))
    return qs


def _median_days(entries: QuerySet[StageEntry]) -> dict[int, float]:
    """The median of `days` per stage: window functions number each stage's rows by days, and only
    the one or two middle rows of each stage come back."""
    per_stage = {"partition_by": [F("stage_id")]}
    middle = (
        entries.annotate(
            rn=Window(RowNumber(), order_by=[F("days").asc(), F("pk").asc()], **per_stage),
            cnt=Window(Count("pk"), **per_stage),
        )
        .filter(rn__gte=(F("cnt") + 1) / 2, rn__lte=(F("cnt") + 2) / 2)
        .values_list("stage_id", "days")
    )
    picked: dict[int, list[float]] = {}
    for stage_id, days in middle:
        picked.setdefault(stage_id, []).append(float(days))
    return {stage_id: sum(days) / len(days) for stage_id, days in picked.items()}


Counts = dict[str, int]


def stage_counts(entries: QuerySet[StageEntry]) -> dict[int, Counts]:
    """Per stage: entries, and of them advanced, lost and open."""
    rows = entries.values("stage_id").annotate(
        entered=Count("pk"),
        advanced=Count("pk", filter=Q(outcome=Outcome.ADVANCED)),
        lost=Count("pk", filter=Q(outcome=Outcome.LOST)),
        open=Count("pk", filter=Q(outcome=Outcome.OPEN)),
    )
    return {row.pop("stage_id"): row for row in rows.order_by()}


def monthly_counts(entries: QuerySet[StageEntry]) -> dict[int, dict[str, list[int]]]:
    """Per stage and month of entering it ("2025-03"): [entered, advanced, lost]."""
    rows = (
        entries.annotate(month=TruncMonth("entered_at"))
        .values("month", "stage_id")
        .annotate(
            entered=Count("pk"),
            advanced=Count("pk", filter=Q(outcome=Outcome.ADVANCED)),
            lost=Count("pk", filter=Q(outcome=Outcome.LOST)),
        )
        .order_by()
    )
    months: dict[int, dict[str, list[int]]] = {}
    for row in rows:
        label = row["month"].strftime("%Y-%m")
        months.setdefault(row["stage_id"], {})[label] = [row["entered"], row["advanced"], row["lost"]]
    return months


def _stored(run: AnalyticsRun) -> tuple[dict[int, Counts], dict[int, float], dict[int, dict]] | None:
    """The whole funnel's counts, medians and months as the run stored them (stage_figures), so
    the unfiltered page reads a row per stage instead of going over every entry; None for a run
    made before the months were stored."""
    counts, medians, months = {}, {}, {}
    for m in StageMetric.objects.filter(run=run).order_by():
        if m.by_month is None:
            return None
        counts[m.stage_id] = {"entered": m.entered, "advanced": m.advanced, "lost": m.lost, "open": m.open}
        if m.median_days is not None:
            medians[m.stage_id] = m.median_days
        months[m.stage_id] = m.by_month
    return counts, medians, months


def funnel(run: AnalyticsRun | None, f: FunnelFilters) -> dict:
    """Per open stage: entered, advanced, lost, open, conversion, median days; and a monthly trend.
    Without filters, as the run stored them; with filters, over the entries they pick."""
    stages = list(FunnelStage.objects.open())
    if run is None:
        return {"stages": [], "months": [], "trend": {}}
    stored = _stored(run) if f == FunnelFilters() else None
    if stored is not None:
        counts, medians, by_month = stored
    else:
        qs = filtered_entries(run, f)
        counts = stage_counts(qs)
        medians = _median_days(qs.filter(outcome=Outcome.ADVANCED))
        by_month = monthly_counts(qs)
    rows = []
    for stage in stages:
        c = counts.get(stage.pk, {"entered": 0, "advanced": 0, "lost": 0, "open": 0})
        resolved = c["advanced"] + c["lost"]
        rows.append(
            {
                "stage": stage,
                **c,
                "conversion_rate": c["advanced"] / resolved if resolved else None,
                "median_days": medians.get(stage.pk),
            }
        )
    months = sorted({label for per_stage in by_month.values() for label in per_stage})
    trend = {}
    for stage in stages:
        per_stage = by_month.get(stage.pk, {})
        trend[stage.name] = [_rate(per_stage.get(label)) for label in months]
    return {"stages": rows, "months": months, "trend": trend}


def _rate(counts: list[int] | None) -> float | None:
    """A month's conversion from [entered, advanced, lost], to four places; None if none resolved."""
    if not counts or not counts[1] + counts[2]:
        return None
    return round(counts[1] / (counts[1] + counts[2]), 4)


def filter_choices(run: AnalyticsRun | None) -> dict[str, list[str]]:
    qs = StageEntry.objects.filter(run=run)
    return {
        "industries": list(
            qs.exclude(industry="").values_list("industry", flat=True).distinct().order_by("industry")
        ),
        "regions": list(qs.exclude(region="").values_list("region", flat=True).distinct().order_by("region")),
    }
