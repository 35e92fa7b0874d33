"""Reads for the analytics pages from the current run's stored tables, in a fixed number of queries
(the funnel scorecard: scorecard.py; coverage and build next: gaps.py)."""

from __future__ import annotations

from django.db.models import Count, F, FloatField, OuterRef, QuerySet, Subquery

from assets.models import Asset
from enablement.analytics.engine import current_run
from enablement.analytics.models import (
    AnalyticsRun,
    AssetStageMetric,
    Segment,
    StageMetric,
)
from enablement.analytics.wording import rep_sentence
from enablement.choices import ExposureKind, Verdict
from enablement.deals.models import Deal
from enablement.money import SumsCurrency

ASSET_SORTS = {
    "lift": "-lift",
    "adjusted": "-adjusted_lift",
    "q": "q_value",
    "exposed": "-exposed_deals",
    "influenced": "-influenced_amount",
    "asset": "asset__title",
    "stage": "stage__order",
}
SORT_LABELS = {
    "adjusted": "Adjusted lift",
    "lift": "Raw difference",
    "q": "q-value",
    "exposed": "Deals that used it",
    "influenced": "Amount influenced",
    "asset": "Title",
}


def sums_currency() -> SumsCurrency:
    """The currency the pages label sums over deals with (influenced and won amounts): the one every
    deal with an amount is in, else the one of most deals, marked mixed (see SumsCurrency)."""
    rows = Deal.objects.exclude(amount=None).values("currency").annotate(n=Count("pk")).order_by()
    return SumsCurrency.of([(row["currency"], row["n"]) for row in rows])


def asset_rows(
    run: AnalyticsRun | None,
    *,
    stage: str = "",
    verdict: str = "",
    kind: str = "",
    sort: str = "adjusted",
    segment: str = "",
    exposure: str = ExposureKind.USED,
) -> QuerySet[AssetStageMetric]:
    """The effectiveness table; `segment` "in" / "out": the figures over the deals in / out of the
    ideal buyer profile (stored by runs made while a profile was approved); `exposure` "read": the
    rows of what buyers read (the CSV takes "all": both kinds)."""
    segment = segment if segment in Segment.values else Segment.ALL
    qs = AssetStageMetric.segments.filter(run=run, segment=segment).select_related("asset", "stage")
    if exposure != "all":
        qs = qs.filter(exposure=exposure if exposure in ExposureKind.values else ExposureKind.USED)
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
    # Grouped by stage (the page shows a heading per stage), sorted within it.
    return qs.order_by("stage__order", expression, "asset__title")


def segmented(run: AnalyticsRun | None) -> bool:
    """Whether the run holds figures in and out of the ideal buyer profile."""
    return AssetStageMetric.segments.filter(run=run).exclude(segment=Segment.ALL).exists()


def landmarks(run: AnalyticsRun | None) -> list[StageMetric]:
    """Each open stage that has a landmark in the run, in funnel order."""
    metrics = StageMetric.objects.filter(run=run, landmark_days__isnull=False).select_related("stage")
    return list(metrics.order_by("stage__order"))


def asset_effects(asset: Asset) -> list[tuple[AssetStageMetric, str]]:
    """The asset's verdict per stage in one plain sentence each, for its portal page (reps read it)."""
    run = current_run()
    rows = (
        AssetStageMetric.objects.filter(run=run, asset=asset, exposure=ExposureKind.USED)
        .select_related("stage")
        .order_by("stage__order")
    )
    days = dict(StageMetric.objects.filter(run=run).values_list("stage_id", "landmark_days"))
    for m in rows:
        m.landmark_days = days.get(m.stage_id)  # for the method sentences on the rep's page
    return [(m, rep_sentence(m)) for m in rows]


def higher_lift(stage: str = "") -> Subquery:
    """Per asset (OuterRef "pk"), its largest adjusted lift with a "higher conversion" verdict in the
    current run, at `stage` (a slug) or at any stage; the catalogue search's "Higher conversion" sort."""
    higher = AssetStageMetric.objects.filter(
        run=current_run(), asset=OuterRef("pk"), verdict=Verdict.HELPS, exposure=ExposureKind.USED
    )
    if stage:
        higher = higher.filter(stage__slug=stage)
    return Subquery(higher.order_by("-adjusted_lift").values("adjusted_lift")[:1], output_field=FloatField())


__all__ = [
    "asset_effects",
    "asset_rows",
    "current_run",
    "higher_lift",
    "landmarks",
]
