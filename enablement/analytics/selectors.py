"""Reads for the analytics pages: from the current run's stored tables, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, FloatField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from assets.choices import AssetStatus
from assets.models import Asset, BuyerRole, ContentRequest, FunnelStage, SearchLog
from enablement.analytics.engine import current_run, days_quantiles
from enablement.analytics.models import (
    AnalyticsRun,
    AssetStageMetric,
    StageEntry,
    StageMetric,
)
from enablement.choices import Outcome, Verdict
from enablement.deals.models import Deal, StageChange

UNUSED_DAYS = 90


@dataclass
class FunnelFilters:
    start: date | None = None
    end: date | None = None
    industry: str = ""
    region: str = ""
    team: int | None = None


def _entries(run: AnalyticsRun, f: FunnelFilters) -> QuerySet[StageEntry]:
    qs = StageEntry.objects.filter(run=run)
    if f.start:
        qs = qs.filter(entered_at__date__gte=f.start)
    if f.end:
        qs = qs.filter(entered_at__date__lte=f.end)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.region:
        qs = qs.filter(region=f.region)
    if f.team:
        from enablement.analytics.models import Team

        qs = qs.filter(owner_id__in=Team.members.through.objects.filter(team_id=f.team).values("user_id"))
    return qs


def funnel(run: AnalyticsRun | None, f: FunnelFilters) -> dict:
    """Per open stage: entered, advanced, lost, open, conversion, median days; and a monthly trend."""
    stages = list(FunnelStage.objects.filter(outcome="open"))
    if run is None:
        return {"stages": [], "months": [], "trend": {}}
    qs = _entries(run, f)
    counts = {
        row["stage_id"]: row
        for row in qs.values("stage_id").annotate(
            entered=Count("pk"),
            advanced=Count("pk", filter=Q(outcome=Outcome.ADVANCED)),
            lost=Count("pk", filter=Q(outcome=Outcome.LOST)),
            open=Count("pk", filter=Q(outcome=Outcome.OPEN)),
        )
    }
    sql, params = qs.filter(outcome=Outcome.ADVANCED).values("stage_id", "days").query.sql_with_params()
    source = f"SELECT s0.stage_id AS k1, 0 AS k2, s0.days FROM ({sql}) s0"
    medians = {k1: median for (k1, _), (median, _) in days_quantiles(source, list(params)).items()}
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
    trend_rows = (
        qs.annotate(month=TruncMonth("entered_at"))
        .values("month", "stage_id")
        .annotate(
            entered=Count("pk"),
            advanced=Count("pk", filter=Q(outcome=Outcome.ADVANCED)),
            lost=Count("pk", filter=Q(outcome=Outcome.LOST)),
        )
        .order_by("month")
    )
    months: list[str] = []
    trend: dict[int, dict[str, float | None]] = {s.pk: {} for s in stages}
    for row in trend_rows:
        label = row["month"].strftime("%Y-%m")
        if label not in months:
            months.append(label)
        resolved = row["advanced"] + row["lost"]
        trend.setdefault(row["stage_id"], {})[label] = (
            round(row["advanced"] / resolved, 4) if resolved else None
        )
    return {
        "stages": rows,
        "months": months,
        "trend": {s.name: [trend[s.pk].get(m) for m in months] for s in stages},
    }


def filter_choices(run: AnalyticsRun | None) -> dict[str, list[str]]:
    qs = StageEntry.objects.filter(run=run)
    return {
        "industries": list(
            qs.exclude(industry="").values_list("industry", flat=True).distinct().order_by("industry")
        ),
        "regions": list(qs.exclude(region="").values_list("region", flat=True).distinct().order_by("region")),
    }


ASSET_SORTS = {
    "lift": "-lift",
    "adjusted": "-adjusted_lift",
    "q": "q_value",
    "exposed": "-exposed_deals",
    "influenced": "-influenced_amount",
    "asset": "asset__title",
    "stage": "stage__order",
}


def asset_rows(
    run: AnalyticsRun | None, *, stage: str = "", verdict: str = "", kind: str = "", sort: str = "adjusted"
) -> QuerySet[AssetStageMetric]:
    qs = AssetStageMetric.objects.filter(run=run).select_related("asset", "stage")
    if stage:
        qs = qs.filter(stage__slug=stage)
    if verdict:
        qs = qs.filter(verdict=verdict)
    if kind:
        qs = qs.filter(asset__kind=kind)
    order = ASSET_SORTS.get(sort, "-adjusted_lift")
    field_name = order.lstrip("-")
    expression = (
        F(field_name).desc(nulls_last=True) if order.startswith("-") else F(field_name).asc(nulls_last=True)
    )
    return qs.order_by(expression, "asset__title", "stage__order")


@dataclass
class Cell:
    role: BuyerRole
    stage: FunnelStage
    assets: int = 0
    used: int = 0
    best_lift: float | None = None
    higher: bool = False
    conversion: float | None = None
    entered: int = 0
    requests: int = 0
    votes: int = 0
    searches: int = 0
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def coverage(
    run: AnalyticsRun | None,
) -> tuple[list[BuyerRole], list[FunnelStage], dict[tuple[int, int], Cell]]:
    """The buyer role × stage grid: what exists, what is used, what works, and what is asked for."""
    roles, stages = list(BuyerRole.objects.all()), list(FunnelStage.objects.filter(outcome="open"))
    cells = {(r.pk, s.pk): Cell(role=r, stage=s) for r in roles for s in stages}
    for row in (
        Asset.objects.filter(status=AssetStatus.PUBLISHED)
        .values("buyer_roles", "stages")
        .annotate(n=Count("pk", distinct=True))
    ):
        if (row["buyer_roles"], row["stages"]) in cells:
            cells[(row["buyer_roles"], row["stages"])].assets = row["n"]
    for row in (
        AssetStageMetric.objects.filter(run=run)
        .values("asset__buyer_roles", "stage")
        .annotate(
            used=Sum(F("exposed_deals") + F("exposed_open")),
            best=Max("adjusted_lift", filter=Q(verdict=Verdict.HELPS)),
        )
    ):
        cell = cells.get((row["asset__buyer_roles"], row["stage"]))
        if cell:
            cell.used, cell.best_lift, cell.higher = row["used"] or 0, row["best"], row["best"] is not None
    for metric in StageMetric.objects.filter(run=run):
        for r in roles:
            cell = cells[(r.pk, metric.stage_id)]
            cell.conversion, cell.entered = metric.conversion_rate, metric.entered
    for row in (
        ContentRequest.objects.filter(status__in=["open", "planned"])
        .values("buyer_role", "stage")
        .annotate(n=Count("pk", distinct=True), votes=Count("voters"))
    ):
        cell = cells.get((row["buyer_role"], row["stage"]))
        if cell:
            cell.requests, cell.votes = row["n"], row["votes"]
    role_slugs, stage_slugs = {r.slug: r.pk for r in roles}, {s.slug: s.pk for s in stages}
    for row in (
        SearchLog.objects.filter(result_count=0)
        .values("filters__buyer_role", "filters__stage")
        .annotate(n=Count("pk"))
    ):
        key = (role_slugs.get(row["filters__buyer_role"]), stage_slugs.get(row["filters__stage"]))
        if key in cells:
            cells[key].searches = row["n"]
    return roles, stages, cells


def build_next(cells: dict[tuple[int, int], Cell], limit: int = 15) -> list[Cell]:
    """Cells where a new asset would matter most, each with its reasons in one sentence.

    score = deals entering the stage × share lost there × (1 if no asset there has higher conversion, else ¼)
            × (1 + open requests' votes + searches that found nothing for that role and stage)
    """
    ranked = []
    for cell in cells.values():
        if not cell.entered or cell.conversion is None:
            continue
        shortfall = 1 - cell.conversion
        demand = cell.votes + cell.searches
        cell.score = cell.entered * shortfall * (0.25 if cell.higher else 1.0) * (1 + demand)
        lost = f"{shortfall:.0%} of those that closed were lost"
        parts = [f"{cell.entered} deals entered {cell.stage.name} and {lost}"]
        if not cell.assets:
            parts.append(f"there is no published asset for the {cell.role.name.lower()} at this stage")
        elif not cell.higher:
            parts.append(
                f"none of its {cell.assets} asset(s) for the {cell.role.name.lower()} has higher conversion"
            )
        else:
            parts.append(
                f"deals that used one asset here converted more (+{cell.best_lift * 100:.0f} points)"
            )
        if demand:
            parts.append(
                f"reps asked {cell.requests} time(s) ({cell.votes} votes) and {cell.searches} search(es) "
                "found nothing"
            )
        cell.reasons = ["; ".join(parts) + "."]
        ranked.append(cell)
    return sorted(ranked, key=lambda c: -c.score)[:limit]


def retire_candidates(run: AnalyticsRun | None) -> dict[str, list]:
    cutoff = timezone.now() - timedelta(days=UNUSED_DAYS)
    published = Asset.objects.filter(status=AssetStatus.PUBLISHED).select_related("owner")
    return {
        "unused": list(
            published.annotate(last_used=Max("usage_events__occurred_at"))
            .filter(Q(last_used__lt=cutoff) | Q(last_used__isnull=True))
            .order_by("last_used", "title")
        ),
        "hurts": list(
            AssetStageMetric.objects.filter(run=run, verdict=Verdict.HURTS)
            .select_related("asset", "stage")
            .order_by("adjusted_lift")
        ),
        "review": list(published.filter(review_by__lt=timezone.localdate()).order_by("review_by")),
    }


def stalled_deals(run: AnalyticsRun | None, limit: int | None = 200) -> tuple[list[Deal], dict[int, list]]:
    """Open deals in their stage for longer than that stage's 75th percentile of days."""
    now = timezone.now()
    thresholds = {m.stage_id: m.p75_days for m in StageMetric.objects.filter(run=run) if m.p75_days}
    if not thresholds:
        return [], {}
    entered = (
        StageChange.objects.filter(deal=OuterRef("pk"), stage=OuterRef("current_stage"))
        .order_by("-entered_at")
        .values("entered_at")[:1]
    )
    slow = Q(pk__in=[])
    for stage_id, days in thresholds.items():
        slow |= Q(current_stage_id=stage_id, in_stage_since__lt=now - timedelta(days=days))
    deals = (
        Deal.objects.filter(closed_at__isnull=True)
        .annotate(in_stage_since=Subquery(entered))
        .filter(slow)
        .select_related("account", "owner", "current_stage")
        .order_by("in_stage_since")
    )
    deals = list(deals[:limit] if limit else deals)
    for deal in deals:
        deal.days_in_stage = (now - deal.in_stage_since).total_seconds() / 86400
        deal.p75 = thresholds.get(deal.current_stage_id)
    helps: dict[int, list] = {}
    for m in (
        AssetStageMetric.objects.filter(run=run, verdict=Verdict.HELPS)
        .select_related("asset")
        .order_by("-adjusted_lift")
    ):
        helps.setdefault(m.stage_id, []).append(m.asset)
    return deals, helps


def landmarks(run: AnalyticsRun | None) -> list[StageMetric]:
    """Each open stage that has a landmark in the run, in funnel order."""
    metrics = StageMetric.objects.filter(run=run, landmark_days__isnull=False).select_related("stage")
    return list(metrics.order_by("stage__order"))


def asset_effects(asset: Asset) -> list[tuple[AssetStageMetric, str]]:
    """The asset's verdict per stage in plain words, for its portal page (reps see these too)."""
    from enablement.analytics.wording import verdict_sentence

    run = current_run()
    rows = (
        AssetStageMetric.objects.filter(run=run, asset=asset).select_related("stage").order_by("stage__order")
    )
    days = dict(StageMetric.objects.filter(run=run).values_list("stage_id", "landmark_days"))
    for m in rows:
        m.landmark_days = days.get(m.stage_id)  # for the method sentences on the rep's page
    return [(m, verdict_sentence(m)) for m in rows]


__all__ = [
    "FunnelFilters",
    "asset_rows",
    "build_next",
    "coverage",
    "current_run",
    "filter_choices",
    "funnel",
    "landmarks",
    "retire_candidates",
    "stalled_deals",
]


def higher_lift(stage: str = "") -> Subquery:
    """Per asset (OuterRef "pk"), its largest adjusted lift with a "higher conversion" verdict in the
    current run, at `stage` (a slug) or at any stage; the catalogue search's "Higher conversion" sort."""
    higher = AssetStageMetric.objects.filter(run=current_run(), asset=OuterRef("pk"), verdict=Verdict.HELPS)
    if stage:
        higher = higher.filter(stage__slug=stage)
    return Subquery(higher.order_by("-adjusted_lift").values("adjusted_lift")[:1], output_field=FloatField())
