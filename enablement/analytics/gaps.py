"""Where material is missing: the buyer role × stage coverage grid and the cells ranked by what a new
asset there would matter."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q, Sum

from assets.choices import AssetStatus
from assets.models import Asset, BuyerRole, ContentRequest, FunnelStage, SearchLog
from enablement.analytics.models import (
    AnalyticsRun,
    AssetStageMetric,
    StageMetric,
)
from enablement.choices import Verdict


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
