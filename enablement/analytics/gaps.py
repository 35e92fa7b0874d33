"""Where material is missing: the buyer role × stage coverage grid and the cells ranked by what a new
asset there would matter.

A cell is weighed by the buying committee: the deals at that stage where the role was in the room
(and in profile, once a buyer profile is approved). Until any deal has a committee role recorded,
every role at a stage shares the stage's figures, and the sentences say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q, Sum

from assets.choices import AssetStatus
from assets.models import Asset, BuyerRole, ContentRequest, FunnelStage, SearchLog
from enablement.analytics import stats
from enablement.analytics.models import (
    AnalyticsRun,
    AssetStageMetric,
    StageEntry,
    StageMetric,
)
from enablement.analytics.wording import plural, points
from enablement.buyers.models import BuyerProfile, DealRole
from enablement.buyers.services import current_profile
from enablement.choices import ExposureKind, Outcome, Verdict


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
    # The buying committee: deals at the stage with the role present (None: no committee data at all),
    # out of `present_of` deals at the stage (both in profile only, when a profile is approved).
    present: int | None = None
    present_of: int = 0
    present_advanced: int = 0
    present_lost: int = 0
    requests: int = 0
    votes: int = 0
    searches: int = 0
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def present_resolved(self) -> int:
        return self.present_advanced + self.present_lost

    @property
    def present_lost_share(self) -> float | None:
        """Share lost among the resolved deals where the role was present; None if none resolved."""
        return stats.rate(self.present_lost, self.present_resolved)


@dataclass
class Coverage:
    """The grid, and what its presence figures stand on."""

    roles: list[BuyerRole]
    stages: list[FunnelStage]
    cells: dict[tuple[int, int], Cell]
    committee: bool = False  # some deal has a buying-committee role recorded
    profile: BuyerProfile | None = None  # presence counts only deals in this profile


def coverage(run: AnalyticsRun | None, roles: list[BuyerRole] | None = None) -> Coverage:
    """The buyer role × stage grid: what exists, what is used, what works, who is in the room, and
    what is asked for. A fixed number of queries, however many roles, stages and deals; `roles`:
    the grid of these roles only (a page of the coverage map), its queries kept to them."""
    every_role = roles is None
    roles, stages = (
        list(BuyerRole.objects.all()) if roles is None else roles,
        list(FunnelStage.objects.open()),
    )
    cells = {(r.pk, s.pk): Cell(role=r, stage=s) for r in roles for s in stages}
    published = Asset.objects.filter(status=AssetStatus.PUBLISHED)
    metrics = AssetStageMetric.objects.filter(run=run, exposure=ExposureKind.USED)
    if not every_role:
        published = published.filter(buyer_roles__in=roles)
        metrics = metrics.filter(asset__buyer_roles__in=roles)
    for row in published.values("buyer_roles", "stages").annotate(n=Count("pk", distinct=True)):
        if (row["buyer_roles"], row["stages"]) in cells:
            cells[(row["buyer_roles"], row["stages"])].assets = row["n"]
    for row in metrics.values("asset__buyer_roles", "stage").annotate(
        used=Sum(F("exposed_deals") + F("exposed_open")),
        best=Max("adjusted_lift", filter=Q(verdict=Verdict.HELPS)),
    ):
        cell = cells.get((row["asset__buyer_roles"], row["stage"]))
        if cell:
            cell.used, cell.best_lift, cell.higher = row["used"] or 0, row["best"], row["best"] is not None
    for metric in StageMetric.objects.filter(run=run):
        for r in roles:
            cell = cells[(r.pk, metric.stage_id)]
            cell.conversion, cell.entered = metric.conversion_rate, metric.entered
    grid = Coverage(roles=roles, stages=stages, cells=cells, committee=DealRole.objects.exists())
    if grid.committee and run is not None:
        grid.profile = current_profile()
        _presence(run, grid, None if every_role else roles)
    _demand(grid)
    return grid


def _presence(run: AnalyticsRun, grid: Coverage, roles: list[BuyerRole] | None) -> None:
    """Per cell, the run's entries of the stage whose deal has the role on its committee: how many,
    advanced and lost (one grouped query over the join; a role named twice on a deal counts once)."""
    entries = StageEntry.objects.filter(run=run)
    if grid.profile is not None:
        entries = entries.filter(deal__in_profile=True)
    totals = dict(entries.values("stage_id").annotate(n=Count("pk")).values_list("stage_id", "n"))
    for cell in grid.cells.values():
        cell.present, cell.present_of = 0, totals.get(cell.stage.pk, 0)
    deal = "deal_id"
    present = Q(deal__roles__isnull=False) if roles is None else Q(deal__roles__role__in=roles)
    rows = (
        entries.filter(present)
        .values("stage_id", role=F("deal__roles__role_id"))
        .annotate(
            present=Count(deal, distinct=True),
            advanced=Count(deal, distinct=True, filter=Q(outcome=Outcome.ADVANCED)),
            lost=Count(deal, distinct=True, filter=Q(outcome=Outcome.LOST)),
        )
        .order_by()
    )
    for row in rows:
        cell = grid.cells.get((row["role"], row["stage_id"]))
        if cell:
            cell.present, cell.present_advanced, cell.present_lost = (
                row["present"],
                row["advanced"],
                row["lost"],
            )


def _demand(grid: Coverage) -> None:
    """Open content requests (and their votes) and searches that found nothing, per cell."""
    cells = grid.cells
    for row in (
        ContentRequest.objects.filter(status__in=["open", "planned"])
        .values("buyer_role", "stage")
        .annotate(n=Count("pk", distinct=True), votes=Count("voters"))
    ):
        cell = cells.get((row["buyer_role"], row["stage"]))
        if cell:
            cell.requests, cell.votes = row["n"], row["votes"]
    role_slugs = {r.slug: r.pk for r in grid.roles}
    stage_slugs = {s.slug: s.pk for s in grid.stages}
    for row in (
        SearchLog.objects.filter(result_count=0)
        .values("filters__buyer_role", "filters__stage")
        .annotate(n=Count("pk"))
    ):
        key = (role_slugs.get(row["filters__buyer_role"]), stage_slugs.get(row["filters__stage"]))
        if key in cells:
            cells[key].searches = row["n"]


NO_COMMITTEE = "no buying-committee data exists yet, so every buyer role at this stage shares its figures"


def build_next(grid: Coverage, limit: int = 15) -> list[Cell]:
    """Cells where a new asset would matter most, each with its reasons in one sentence.

    score = deals at the stage with the role on their buying committee (in profile, when a profile is
            approved) × share lost among them (of those resolved)
            × (1 if no asset there has higher conversion, else ¼)
            × (1 + open requests' votes + searches that found nothing for that role and stage)

    Until any deal has a committee role recorded, the first two factors are the stage's: deals
    entering it × share lost there (the same for every role), and the sentence says so.
    """
    ranked = []
    for cell in grid.cells.values():
        if grid.committee:
            if not cell.present or cell.present_lost_share is None:
                continue
            deals, shortfall = cell.present, cell.present_lost_share
            where = f"{cell.stage.name} deals" + (" in profile" if grid.profile else "")
            opening = (
                f"present in {cell.present} of {cell.present_of} {where}, "
                f"{shortfall:.0%} of them lost (of {cell.present_resolved} resolved)"
            )
        else:
            if not cell.entered or cell.conversion is None:
                continue
            deals, shortfall = cell.entered, 1 - cell.conversion
            opening = (
                f"{cell.entered} deals entered {cell.stage.name} and {shortfall:.0%} of those that "
                "closed were lost"
            )
        demand = cell.votes + cell.searches
        cell.score = deals * shortfall * (0.25 if cell.higher else 1.0) * (1 + demand)
        parts = [opening, _assets_clause(cell)]
        if demand:
            parts.append(
                f"reps asked {plural(cell.requests, 'time')} ({plural(cell.votes, 'vote')}) and "
                f"{plural(cell.searches, 'search', 'searches')} found nothing"
            )
        if not grid.committee:
            parts.append(NO_COMMITTEE)
        cell.reasons = ["; ".join(parts) + "."]
        ranked.append(cell)
    return sorted(ranked, key=lambda c: (-c.score, -(c.present or 0)))[:limit]


def _assets_clause(cell: Cell) -> str:
    role = cell.role.name.lower()
    if not cell.assets:
        return f"no published asset for the {role} at this stage"
    if not cell.higher:
        if cell.assets == 1:
            return f"its one asset for the {role} does not have higher conversion"
        return f"none of its {cell.assets} assets for the {role} has higher conversion"
    return f"deals that used one asset here converted more ({points(cell.best_lift)} points)"
