"""The assets-and-conversion table as marketing reads it: rows grouped by stage, 50 a page with the
filters kept from page to page, and an empty state that says what is true of the filters chosen."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Max, QuerySet
from django.http import QueryDict

from assets.choices import AssetKind
from assets.models import FunnelStage
from enablement.analytics.forest import Forest, default_stage, forest
from enablement.analytics.models import AnalyticsRun, AssetStageMetric, Segment
from enablement.choices import ExposureKind, Verdict

PER_PAGE = 50
EMPTY_VERDICT = {
    Verdict.HELPS: "No asset has significantly higher conversion yet{where}.",
    Verdict.HURTS: "No asset has significantly lower conversion{where}.",
    Verdict.NO_EVIDENCE: "No asset with enough data shows no clear difference{where}.",
    Verdict.TOO_LITTLE: "Every asset used{where} has enough data to judge.",
}


@dataclass
class Group:
    stage: FunnelStage
    rows: list[AssetStageMetric] = field(default_factory=list)


@dataclass
class Table:
    page: Page
    groups: list[Group]
    comparisons: int
    empty: str  # what to say when the page has no row
    query: str  # the filters, without the page, for the pager's links


def table(
    run: AnalyticsRun | None, rows: QuerySet[AssetStageMetric], params: QueryDict, *, segment: str = ""
) -> Table:
    page = Paginator(rows, PER_PAGE).get_page(params.get("page"))
    groups: list[Group] = []
    for m in page.object_list:
        if not groups or groups[-1].stage.pk != m.stage_id:
            groups.append(Group(stage=m.stage))
        groups[-1].rows.append(m)
    segment = segment if segment in Segment.values else Segment.ALL
    family = AssetStageMetric.segments.filter(run=run, segment=segment)
    comparisons = family.aggregate(n=Max("comparisons"))["n"] or 0
    query = params.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    return Table(
        page=page,
        groups=groups,
        comparisons=comparisons,
        empty="" if groups else empty_state(params, used=family.exists()),
        query=query.urlencode(),
    )


def empty_state(params: QueryDict, *, used: bool) -> str:
    """A sentence true of the filters: "No asset has significantly higher conversion yet at Proposal."
    rather than a generic "nothing found"."""
    if not used:
        return "No asset has been used at a stage yet."
    stage = FunnelStage.objects.filter(slug=params.get("stage", "")).first()
    where = f" at {stage.name}" if stage else ""
    kinds = dict(AssetKind.choices)
    if kind := kinds.get(params.get("kind", "")):
        where += f" (asset type “{kind}”)"
    verdict = params.get("verdict", "")
    read = params.get("exposure") == ExposureKind.READ
    if verdict in EMPTY_VERDICT:
        return EMPTY_VERDICT[verdict].format(where=where + (" when read by buyers" if read else ""))
    if read:
        return f"No buyer has read an asset long enough in a deal room{where} yet."
    return f"No asset has been used{where} yet."


def stage_forest(rows: QuerySet[AssetStageMetric], stage_slug: str) -> Forest | None:
    """The forest plot of the chosen stage (one row per asset, the table's other filters kept), or of
    the stage with the most rows with enough data when none is chosen."""
    metrics = list(rows)
    chosen = next((m.stage for m in metrics if m.stage.slug == stage_slug), None)
    if chosen is None:
        stage_id = default_stage(metrics)
        if stage_id is None:
            return None
        chosen = next(m.stage for m in metrics if m.stage_id == stage_id)
    hint = "" if stage_slug else " (choose another stage above)"
    return forest(
        [m for m in metrics if m.stage_id == chosen.pk],
        label=lambda m: m.asset.title,
        caption=f"Adjusted lift of each asset at {chosen.name}{hint}",
        heading="Asset",
    )
