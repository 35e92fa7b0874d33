"""From a run's working tables to its stored figures: counts per stratum come back from the database
(never rows per deal), medians are picked by window functions, and the pure functions of
enablement.analytics.stats turn the counts into rates, intervals, adjusted lifts and q-values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection

from assets.choices import StageOutcome
from assets.models import Asset, FunnelStage
from enablement.analytics import sql, stats
from enablement.analytics.cohort import Landmarks
from enablement.analytics.comparison import Counts, Pair, judge, metric_build
from enablement.analytics.figures_sql import (
    AT_RISK_DAYS,
    AT_RISK_STRATA_SQL,
    CUTS,
    EXPOSED_STRATA_SQL,
    PARTIAL_SQL,
    QUANTILES_SQL,
    SCOPE,
    STAGE_COUNTS_SQL,
    STAGE_DAYS,
    UNEXPOSED_MEDIANS_SQL,
)
from enablement.analytics.models import AnalyticsRun, AssetStageMetric, Segment, StageMetric


@dataclass
class Scope:
    """What a refresh recomputes: every asset at `stages`, the `pairs` (asset, stage), and `assets` at
    every stage. The rest of the run's rows stand; only their q-values and verdicts follow."""

    stages: set[int] = field(default_factory=set)
    pairs: set[tuple[int, int]] = field(default_factory=set)
    assets: set[int] = field(default_factory=set)
    fragments: dict[str, str] = field(default_factory=dict)

    def fill(self) -> set[tuple[int, int]]:
        """Write the scope's pairs to a temporary table the statements join, and return them."""
        open_stages = list(FunnelStage.objects.filter(outcome=StageOutcome.OPEN).values_list("pk", flat=True))
        everything = set(self.pairs)
        if self.stages:
            assets = Asset.objects.values_list("pk", flat=True)
            everything |= {(a, s) for a in assets for s in self.stages}
        everything |= {(a, s) for a in self.assets for s in open_stages}
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {SCOPE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {SCOPE} (asset_id BIGINT, stage_id BIGINT)")
            if everything:
                cursor.executemany(f"INSERT INTO {SCOPE} VALUES (%s, %s)", sorted(everything))
            if sql.postgres():
                cursor.execute(f"ANALYZE {SCOPE}")
        stages = ", ".join(str(int(s)) for s in sorted({s for _, s in everything})) or "NULL"
        self.fragments = {
            "stages": f"AND e.stage_id IN ({stages})",
            "pairs": f"JOIN {SCOPE} p ON p.asset_id = x.asset_id AND p.stage_id = e.stage_id",
            "pairs_r": f"JOIN {SCOPE} p ON p.asset_id = x.asset_id AND p.stage_id = r.stage_id",
        }
        return everything


FULL = {"stages": "", "pairs": "", "pairs_r": ""}


def _sql(template: str, scope: Scope | None = None, **extra: str) -> str:
    return template.format(**sql.tables(), cuts=CUTS, **(scope.fragments if scope else FULL), **extra)


def _rows(statement: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def days_quantiles(source: str, params: list) -> dict[tuple[int, int], tuple[float, float]]:
    """{(k1, k2): (median, 75th percentile by nearest rank)} of the days a query yields.

    `source` is finished SQL selecting `k1, k2, days`; only the few rows the window picks come back.
    """
    picked: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    counts: dict[tuple[int, int], int] = {}
    for k1, k2, days, rn, cnt in _rows(QUANTILES_SQL.format(source=source), params):
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
    for stage_id, outcome, n in _rows(_sql(STAGE_COUNTS_SQL), [run.pk]):
        totals[stage_id].add(outcome, n)
    quantiles = days_quantiles(_sql(STAGE_DAYS), [run.pk])
    metrics = []
    for stage in FunnelStage.objects.filter(outcome=StageOutcome.OPEN):
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
            )
        )
    StageMetric.objects.filter(run=run).delete()
    return StageMetric.objects.bulk_create(metrics)


def _pairs(run: AnalyticsRun, scope: Scope | None) -> dict[tuple[int, int], Pair]:
    pairs: dict[tuple[int, int], Pair] = defaultdict(Pair)
    later: dict[tuple[int, int], int] = defaultdict(int)
    for asset_id, stage_id, owner_id, quarter, outcome, in_window, n, amount, won in _rows(
        _sql(EXPOSED_STRATA_SQL, scope), [run.pk]
    ):
        if not in_window:
            later[(asset_id, stage_id)] += n
            continue
        pair = pairs[(asset_id, stage_id)]
        pair.exposed[(owner_id, quarter)].add(outcome, n)
        pair.influenced += Decimal(amount or 0)
        pair.won += Decimal(won or 0)
    for key, pair in pairs.items():
        pair.later = later.get(key, 0)
    return pairs


def asset_metrics_write(
    run: AnalyticsRun, landmarks: Landmarks, availability: dict[int, datetime], scope: Scope | None = None
) -> int:
    """Every (asset, stage) with an exposure: exposed against comparable unexposed entries at risk.

    With a `scope` (the refresh) only its pairs are computed again and written; the rows of the other
    pairs stand, and every row's q-value and verdict follow from all the p-values."""
    in_scope = scope.fill() if scope is not None else None
    with _hash_joins():
        metrics = _asset_metrics(run, landmarks, availability, scope)
    if in_scope is None:
        judge(metrics)
        AssetStageMetric.objects.filter(run=run).delete()
        AssetStageMetric.objects.bulk_create(metrics, batch_size=1000)
        return len(metrics)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {SCOPE}")
    stored = list(AssetStageMetric.objects.filter(run=run))
    kept = [m for m in stored if (m.asset_id, m.stage_id) not in in_scope]
    for m in kept:
        m.enough = m.p_value is not None  # rows without enough data carry no p-value
    judge(kept + metrics)
    AssetStageMetric.objects.filter(
        pk__in=[m.pk for m in stored if (m.asset_id, m.stage_id) in in_scope]
    ).delete()
    AssetStageMetric.objects.bulk_update(kept, ["q_value", "significant", "verdict"], batch_size=1000)
    AssetStageMetric.objects.bulk_create(metrics, batch_size=1000)
    return len(metrics)


def segment_metrics_write(
    run: AnalyticsRun, landmarks: Landmarks, availability: dict[int, datetime], segment: str
) -> int:
    """The same figures over the deals in (`segment` "in") or out ("out") of the ideal buyer profile:
    every statement's entries are restricted to those deals; q-values are taken within the segment."""
    wanted = "TRUE" if segment == Segment.IN_PROFILE else "FALSE"
    deals = f"SELECT id FROM {sql.tables()['deal']} WHERE in_profile = {wanted}"
    restricted = Scope(fragments={**FULL, "stages": f"AND e.deal_id IN ({deals})"})
    with _hash_joins():
        metrics = _asset_metrics(run, landmarks, availability, restricted)
    for m in metrics:
        m.segment = segment
    judge(metrics)
    AssetStageMetric.segments.filter(run=run, segment=segment).delete()
    AssetStageMetric.segments.bulk_create(metrics, batch_size=1000)
    return len(metrics)


def _asset_metrics(
    run: AnalyticsRun, landmarks: Landmarks, availability: dict[int, datetime], scope: Scope | None
) -> list[AssetStageMetric]:
    """The figures of every pair the scope lets through, not yet judged nor stored."""
    at_risk, risk_params = landmarks.at_risk()
    strata: dict[int, dict[tuple, Counts]] = defaultdict(lambda: defaultdict(Counts))
    first_entered: dict[int, object] = {}
    for stage_id, owner_id, quarter, outcome, n, first in _rows(
        _sql(AT_RISK_STRATA_SQL, scope, at_risk=at_risk), [run.pk, *risk_params]
    ):
        strata[stage_id][(owner_id, quarter)].add(outcome, n)
        first_entered[stage_id] = min(first_entered.get(stage_id, first), first)
    pairs = _pairs(run, scope)
    for (asset_id, stage_id), pair in pairs.items():
        available, days = availability.get(asset_id), landmarks.days.get(stage_id)
        if available is not None and days is not None and stage_id in first_entered:
            cut = available - timedelta(days=days)  # entered + landmark > available ⟺ entered > cut
            if sql.moment(cut) >= first_entered[stage_id]:
                pair.cut = cut
    _cuts_table(pairs)
    partial = _partial_counts(run, at_risk, risk_params, pairs, scope)
    advancing = {stage for stage, by in strata.items() if any(c.advanced for c in by.values())}
    exposed_days, unexposed_days = _medians(run, landmarks, pairs, advancing, scope)
    metrics = []
    for key, pair in pairs.items():
        comparable = strata[key[1]]
        if pair.cut is not None:
            cut_quarter = sql.quarter_of(pair.cut)
            comparable = {k: c for k, c in comparable.items() if k[1] > cut_quarter} | partial.get(key, {})
        metrics.append(metric_build(run, key, pair, comparable))
    for m in metrics:
        m.exposed_median_days = exposed_days.get((m.asset_id, m.stage_id))
        m.unexposed_median_days = unexposed_days.get((m.asset_id, m.stage_id))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {CUTS}")
    return metrics


def _cuts_table(pairs: dict[tuple[int, int], Pair]) -> None:
    """A temporary table of the (asset, stage) pairs whose asset came after the stage's first entries."""
    kind = "TIMESTAMP WITH TIME ZONE" if sql.postgres() else "TEXT"
    rows = [
        (asset_id, stage_id, sql.quarter_of(p.cut), sql.moment(p.cut))
        for (asset_id, stage_id), p in pairs.items()
        if p.cut is not None
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CUTS}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {CUTS} (asset_id BIGINT, stage_id BIGINT, quarter INTEGER, cut {kind})"
        )
        if rows:
            cursor.executemany(f"INSERT INTO {CUTS} VALUES (%s, %s, %s, %s)", rows)


def _partial_counts(
    run: AnalyticsRun,
    at_risk: str,
    risk_params: list,
    pairs: dict[tuple[int, int], Pair],
    scope: Scope | None,
) -> dict[tuple[int, int], dict]:
    """Per cut pair and owner, the comparable entries of the cut's own quarter."""
    partial: dict[tuple[int, int], dict[tuple, Counts]] = defaultdict(lambda: defaultdict(Counts))
    statement = _sql(PARTIAL_SQL, scope, at_risk=at_risk)
    for asset_id, stage_id, owner_id, outcome, n in _rows(statement, [run.pk, *risk_params]):
        cut_quarter = sql.quarter_of(pairs[(asset_id, stage_id)].cut)
        partial[(asset_id, stage_id)][(owner_id, cut_quarter)].add(outcome, n)
    return partial


@contextmanager
def _hash_joins() -> Iterator[None]:
    """PostgreSQL: no nested loops for the statements inside. The medians' CTEs carry no statistics
    (a stage's ranked entries were estimated at a tenth of their number), so the planner may loop
    from the (asset, stage) pairs over them, a cost of pairs × entries; every join here is an equality
    that a hash or merge join answers in one pass over each side."""
    if not sql.postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_nestloop', 'on', true)")


def _medians(
    run: AnalyticsRun,
    landmarks: Landmarks,
    pairs: dict[tuple[int, int], Pair],
    advancing: set[int],
    scope: Scope | None,
) -> tuple[dict[tuple[int, int], float | None], dict[tuple[int, int], float | None]]:
    """Median days of advanced deals with and without each asset, in one statement."""
    at_risk, risk_params = landmarks.at_risk()
    exposed, unexposed = {}, {}
    statement = _sql(UNEXPOSED_MEDIANS_SQL, scope, at_risk=at_risk)
    for a, s, d1, d2, used in _rows(statement, [run.pk, *risk_params, run.pk]):
        unexposed[(a, s)] = None if d1 is None or d2 is None else (d1 + d2) / 2
        exposed[(a, s)] = None if used is None else float(used)
    missing = [key for key in pairs if key not in unexposed]
    for key in [key for key in missing if key[1] not in advancing]:
        unexposed[key] = None  # nobody advanced from that stage after its landmark
    missing = [key for key in missing if key[1] in advancing]
    if missing:
        # Nobody that advanced used it and none was left out: the stage's median at risk.
        stage_days = days_quantiles(_sql(AT_RISK_DAYS, scope, at_risk=at_risk), [run.pk, *risk_params])
        for key in missing:
            unexposed[key] = stage_days.get((key[1], 0), (None,))[0]
    return exposed, unexposed
