"""Forest plots of adjusted lifts: a point per row, a whisker for the interval shown beside its
verdict, colour by verdict; rows with too little data carry their counts in words and no point.
The same figures go to the page's table, so the chart is never the only way to read them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from enablement.analytics.models import AssetStageMetric
from enablement.analytics.wording import comparisons
from enablement.choices import Verdict


@dataclass
class Forest:
    rows: list[tuple[AssetStageMetric, str]]  # each row and its name (an asset's title, a stage's)
    chart: dict  # for json_script: labels, points, low, high, verdicts
    caption: str
    heading: str  # what the rows are: "Asset", "Stage"
    exposed: str = "Deals that used it"  # the exposed group, as the rows' kind has it


def _counts(m: AssetStageMetric) -> str:
    return f"too little data: {m.exposed_deals} with it, {m.unexposed_deals} without"


def forest(
    metrics: Iterable[AssetStageMetric],
    *,
    label: Callable[[AssetStageMetric], str],
    caption: str,
    heading: str,
    exposed: str = "Deals that used it",
) -> Forest:
    """Rows sorted by adjusted lift, highest first; rows with too little data last, by name."""
    metrics = list(metrics)
    judged = sorted((m for m in metrics if m.adjusted_lift is not None), key=lambda m: -m.adjusted_lift)
    thin = sorted((m for m in metrics if m.adjusted_lift is None), key=label)
    rows = judged + thin
    chart = {
        # a row with too little data: its name over its counts (Chart.js draws a list as lines)
        "labels": [label(m) if m.adjusted_lift is not None else [label(m), _counts(m)] for m in rows],
        "points": [m.adjusted_lift for m in rows],
        "low": [m.adjusted_fcr_low for m in rows],
        "high": [m.adjusted_fcr_high for m in rows],
        "verdicts": [str(m.verdict) for m in rows],
        "interval": f"95% interval, {comparisons(rows[0])}" if judged else "",
    }
    return Forest(
        rows=[(m, label(m)) for m in rows], chart=chart, caption=caption, heading=heading, exposed=exposed
    )


def default_stage(metrics: Iterable[AssetStageMetric]) -> int | None:
    """The stage to plot when none is chosen: the one with the most rows with enough data (ties: the
    earlier stage), else the first with any row."""
    tested: dict[int, int] = {}
    order: dict[int, int] = {}
    for m in metrics:
        tested[m.stage_id] = tested.get(m.stage_id, 0) + (m.verdict != Verdict.TOO_LITTLE)
        order.setdefault(m.stage_id, m.stage.order)
    if not tested:
        return None
    return min(tested, key=lambda s: (-tested[s], order[s]))
