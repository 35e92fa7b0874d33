"""The funnel scorecard's figures of a run: per open stage its entries, outcomes, conversion, median
and 75th-percentile days, landmark, and its counts by month and by quarter with the quarters' medians
(the stage figures step of enablement.analytics.engine), which the unfiltered funnel page reads."""

from __future__ import annotations

from collections import defaultdict

from assets.models import FunnelStage
from enablement.analytics import over_time, sql, stats
from enablement.analytics.cohort import Landmarks
from enablement.analytics.comparison import Counts
from enablement.analytics.figures_sql import QUANTILES_SQL, STAGE_COUNTS_SQL, STAGE_DAYS
from enablement.analytics.models import AnalyticsRun, StageEntry, StageMetric


def days_quantiles(source: str, params: list) -> dict[tuple[int, int], tuple[float, float]]:
    """{(k1, k2): (median, 75th percentile by nearest rank)} of the days a query yields.

    `source` is finished SQL selecting `k1, k2, days`; only the few rows the window picks come back.
    """
    picked: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    counts: dict[tuple[int, int], int] = {}
    for k1, k2, days, rn, cnt in sql.read_rows(QUANTILES_SQL.format(source=source), params):
        picked[(k1, k2)][rn] = float(days)
        counts[(k1, k2)] = cnt
    result = {}
    for key, rows in picked.items():
        cnt = counts[key]
        median = (rows[(cnt + 1) // 2] + rows[(cnt + 2) // 2]) / 2
        result[key] = (median, rows[(3 * cnt + 3) // 4])
    return result


def stage_metrics_write(run: AnalyticsRun, landmarks: Landmarks) -> list[StageMetric]:
    """The funnel scorecard: every entry of each open stage (not only those at risk), and its landmark."""
    totals: dict[int, Counts] = defaultdict(Counts)
    quantiles: dict[tuple[int, int], tuple] = {}
    if landmarks.scorecard is not None:  # read with the landmarks (cohort.SCORECARD_PG_SQL)
        for stage_id, (advanced, lost, still_open, median, p75) in landmarks.scorecard.items():
            totals[stage_id] = Counts(advanced, lost, still_open)
            if median is not None:
                quantiles[(stage_id, 0)] = (median, p75)
    else:
        for stage_id, outcome, n in sql.read_rows(STAGE_COUNTS_SQL.format(**sql.tables()), [run.pk]):
            totals[stage_id].add(outcome, n)
        quantiles = days_quantiles(STAGE_DAYS.format(**sql.tables()), [run.pk])
    entries = StageEntry.objects.filter(run=run)
    by_month, by_quarter = over_time.month_and_quarter_figures(entries)
    metrics = []
    for stage in FunnelStage.objects.open():
        c = totals.get(stage.pk, Counts())
        median, p75 = quantiles.get((stage.pk, 0), (None, None))
        metrics.append(
            StageMetric(
                run=run,
                stage=stage,
                entered=c.advanced + c.lost + c.open,
                advanced=c.advanced,
                lost=c.lost,
                open=c.open,
                conversion_rate=stats.rate(c.advanced, c.resolved),
                median_days=median,
                p75_days=p75,
                landmark_days=landmarks.days.get(stage.pk),
                resolution_p25=landmarks.quartiles.get(stage.pk),
                by_month=by_month.get(stage.pk, {}),
                by_quarter=by_quarter.get(stage.pk, {}),
            )
        )
    StageMetric.objects.filter(run=run).delete()
    return StageMetric.objects.bulk_create(metrics)
