"""From a run's working tables to its stored figures: counts per stratum come back from the database
(never rows per deal), medians are picked by window functions, and the pure functions of
enablement.analytics.stats turn the counts into rates, intervals, adjusted lifts and q-values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection

from assets.choices import StageOutcome
from assets.models import FunnelStage
from enablement.analytics import sql, stats
from enablement.analytics.cohort import Landmarks
from enablement.analytics.models import AnalyticsRun, AssetStageMetric, StageMetric
from enablement.choices import Verdict

# Days of advanced entries, keyed; the window picks the middle rows and the 75th-percentile row.
QUANTILES_SQL = """
SELECT k1, k2, days, rn, cnt FROM (
    SELECT k1, k2, days, ROW_NUMBER() OVER (PARTITION BY k1, k2 ORDER BY days) AS rn,
           COUNT(*) OVER (PARTITION BY k1, k2) AS cnt
    FROM ({source}) src
) ranked
WHERE rn = (cnt + 1) / 2 OR rn = (cnt + 2) / 2 OR rn = (3 * cnt + 3) / 4
"""

STAGE_COUNTS_SQL = (
    "SELECT stage_id, outcome, COUNT(*) FROM {entry} WHERE run_id = %s GROUP BY stage_id, outcome"
)
STAGE_DAYS = "SELECT stage_id AS k1, 0 AS k2, days FROM {entry} WHERE run_id = %s AND outcome = 'advanced'"

AT_RISK_STRATA_SQL = """
SELECT e.stage_id, e.owner_id, e.quarter, e.outcome, COUNT(*) FROM {entry} e
WHERE e.run_id = %s AND {at_risk} GROUP BY e.stage_id, e.owner_id, e.quarter, e.outcome
"""
EXPOSED_STRATA_SQL = """
SELECT x.asset_id, e.stage_id, e.owner_id, e.quarter, e.outcome, COUNT(*), SUM(e.amount),
       SUM(CASE WHEN e.won THEN e.amount ELSE 0 END)
FROM {exposure} x JOIN {entry} e ON e.id = x.entry_id
WHERE x.run_id = %s AND x.in_window
GROUP BY x.asset_id, e.stage_id, e.owner_id, e.quarter, e.outcome
"""
LATER_SQL = """
SELECT x.asset_id, e.stage_id, COUNT(*) FROM {exposure} x JOIN {entry} e ON e.id = x.entry_id
WHERE x.run_id = %s AND NOT x.in_window GROUP BY x.asset_id, e.stage_id
"""
# Entries of one stage and quarter that entered after a cut (comparable for an asset available late).
PARTIAL_SQL = """
SELECT e.owner_id, e.outcome, COUNT(*) FROM {entry} e
WHERE e.run_id = %s AND e.stage_id = %s AND e.quarter = %s AND e.entered_at > %s AND {at_risk}
GROUP BY e.owner_id, e.outcome
"""
AT_RISK_DAYS = """
SELECT e.stage_id AS k1, 0 AS k2, e.days FROM {entry} e
WHERE e.run_id = %s AND e.outcome = 'advanced' AND {at_risk}
"""
EXPOSED_DAYS = """
SELECT x.asset_id AS k1, e.stage_id AS k2, e.days FROM {exposure} x JOIN {entry} e ON e.id = x.entry_id
WHERE x.run_id = %s AND x.in_window AND e.outcome = 'advanced'
"""
CUT_UNEXPOSED_DAYS = """
SELECT %s AS k1, %s AS k2, e.days FROM {entry} e
LEFT JOIN {exposure} x ON x.entry_id = e.id AND x.asset_id = %s AND x.in_window
WHERE e.run_id = %s AND e.stage_id = %s AND e.outcome = 'advanced' AND e.entered_at > %s AND {at_risk}
  AND x.entry_id IS NULL
"""
# The median of the deals *without* an asset, for every (asset, stage) at once, without listing
# them: rank the stage's advanced entries by days (g); number each asset's exposed ones among them
# (j). Exposed entry j has g − j unexposed entries before it, so the k-th unexposed entry has rank
# k + #{exposed with g − j < k}. Work grows with the entries plus the exposures, not their product.
UNEXPOSED_MEDIANS_SQL = """
WITH ranked AS (
    SELECT e.id, e.stage_id, e.days, ROW_NUMBER() OVER (PARTITION BY e.stage_id ORDER BY e.days, e.id) AS g
    FROM {entry} e WHERE e.run_id = %s AND e.outcome = 'advanced' AND {at_risk}
), n AS (
    SELECT stage_id, COUNT(*) AS n FROM ranked GROUP BY stage_id
), xs AS (
    SELECT x.asset_id, r.stage_id, r.g,
           ROW_NUMBER() OVER (PARTITION BY x.asset_id, r.stage_id ORDER BY r.g) AS j
    FROM {exposure} x JOIN ranked r ON r.id = x.entry_id
    WHERE x.run_id = %s AND x.in_window
), ks AS (
    SELECT xs.asset_id, xs.stage_id, (MAX(n.n) - COUNT(*) + 1) / 2 AS k1, (MAX(n.n) - COUNT(*) + 2) / 2 AS k2
    FROM xs JOIN n ON n.stage_id = xs.stage_id
    GROUP BY xs.asset_id, xs.stage_id HAVING MAX(n.n) > COUNT(*)
), ts AS (
    SELECT ks.asset_id, ks.stage_id,
           ks.k1 + SUM(CASE WHEN xs.g - xs.j < ks.k1 THEN 1 ELSE 0 END) AS t1,
           ks.k2 + SUM(CASE WHEN xs.g - xs.j < ks.k2 THEN 1 ELSE 0 END) AS t2
    FROM ks JOIN xs ON xs.asset_id = ks.asset_id AND xs.stage_id = ks.stage_id
    GROUP BY ks.asset_id, ks.stage_id, ks.k1, ks.k2
)
SELECT ts.asset_id, ts.stage_id, r1.days, r2.days
FROM ts JOIN ranked r1 ON r1.stage_id = ts.stage_id AND r1.g = ts.t1
JOIN ranked r2 ON r2.stage_id = ts.stage_id AND r2.g = ts.t2
"""


def _sql(template: str, **extra: str) -> str:
    return template.format(**sql.tables(), **extra)


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


@dataclass
class Counts:
    advanced: int = 0
    lost: int = 0
    open: int = 0

    def add(self, outcome: str, n: int) -> None:
        setattr(self, outcome, getattr(self, outcome) + n)

    def plus(self, other: Counts) -> None:
        self.advanced, self.lost, self.open = (
            self.advanced + other.advanced,
            self.lost + other.lost,
            self.open + other.open,
        )

    def minus(self, other: Counts) -> Counts:
        return Counts(self.advanced - other.advanced, self.lost - other.lost, self.open - other.open)

    @property
    def resolved(self) -> int:
        return self.advanced + self.lost


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


@dataclass
class Pair:
    """One asset at one stage: its exposed counts per stratum, and what the comparison needs."""

    exposed: dict[tuple, Counts] = field(default_factory=lambda: defaultdict(Counts))
    influenced: Decimal = Decimal(0)
    won: Decimal = Decimal(0)
    later: int = 0
    cut: datetime | None = None  # entries that entered at or before it are not comparable


def _pairs(run: AnalyticsRun) -> dict[tuple[int, int], Pair]:
    pairs: dict[tuple[int, int], Pair] = defaultdict(Pair)
    for asset_id, stage_id, owner_id, quarter, outcome, n, amount, won in _rows(
        _sql(EXPOSED_STRATA_SQL), [run.pk]
    ):
        pair = pairs[(asset_id, stage_id)]
        pair.exposed[(owner_id, quarter)].add(outcome, n)
        pair.influenced += Decimal(amount or 0)
        pair.won += Decimal(won or 0)
    for asset_id, stage_id, n in _rows(_sql(LATER_SQL), [run.pk]):
        if (asset_id, stage_id) in pairs:
            pairs[(asset_id, stage_id)].later = n
    return pairs


def asset_metrics_write(run: AnalyticsRun, landmarks: Landmarks, availability: dict[int, datetime]) -> int:
    """Every (asset, stage) with an exposure: exposed against comparable unexposed entries at risk."""
    at_risk, risk_params = landmarks.at_risk()
    strata: dict[int, dict[tuple, Counts]] = defaultdict(lambda: defaultdict(Counts))
    for stage_id, owner_id, quarter, outcome, n in _rows(
        _sql(AT_RISK_STRATA_SQL, at_risk=at_risk), [run.pk, *risk_params]
    ):
        strata[stage_id][(owner_id, quarter)].add(outcome, n)
    pairs = _pairs(run)
    for (asset_id, stage_id), pair in pairs.items():
        first_quarter = min((q for _, q in strata[stage_id]), default=None)
        available, days = availability.get(asset_id), landmarks.days.get(stage_id)
        if available is not None and days is not None and first_quarter is not None:
            cut = available - timedelta(days=days)  # entered + landmark > available ⟺ entered > cut
            if sql.quarter_of(cut) >= first_quarter:
                pair.cut = cut
    exposed_days = days_quantiles(_sql(EXPOSED_DAYS), [run.pk])
    unexposed_days = _unexposed_medians(run, landmarks, pairs)
    metrics = [
        _metric(run, key, pair, _comparable(run, at_risk, risk_params, strata[key[1]], key[1], pair.cut))
        for key, pair in pairs.items()
    ]
    for m in metrics:
        m.exposed_median_days = exposed_days.get((m.asset_id, m.stage_id), (None,))[0]
        m.unexposed_median_days = unexposed_days.get((m.asset_id, m.stage_id))
    _judge(metrics)
    AssetStageMetric.objects.filter(run=run).delete()
    AssetStageMetric.objects.bulk_create(metrics, batch_size=1000)
    return len(metrics)


def _comparable(
    run: AnalyticsRun,
    at_risk: str,
    risk_params: list,
    stage_strata: dict,
    stage_id: int,
    cut: datetime | None,
) -> dict[tuple, Counts]:
    """Entries at risk per stratum that could have used the asset: all of them, or those after the cut
    (whole quarters after it, and the part of its own quarter after it, counted in the database)."""
    if cut is None:
        return stage_strata
    cut_quarter = sql.quarter_of(cut)
    kept = {key: c for key, c in stage_strata.items() if key[1] > cut_quarter}
    statement = _sql(PARTIAL_SQL, at_risk=at_risk)
    for owner_id, outcome, n in _rows(
        statement, [run.pk, stage_id, cut_quarter, sql.moment(cut), *risk_params]
    ):
        kept.setdefault((owner_id, cut_quarter), Counts()).add(outcome, n)
    return kept


def _unexposed_medians(
    run: AnalyticsRun, landmarks: Landmarks, pairs: dict[tuple[int, int], Pair]
) -> dict[tuple[int, int], float | None]:
    at_risk, risk_params = landmarks.at_risk()
    ranked = {
        (a, s): (d1 + d2) / 2
        for a, s, d1, d2 in _rows(
            _sql(UNEXPOSED_MEDIANS_SQL, at_risk=at_risk), [run.pk, *risk_params, run.pk]
        )
    }
    stage_days = days_quantiles(_sql(AT_RISK_DAYS, at_risk=at_risk), [run.pk, *risk_params])
    result: dict[tuple[int, int], float | None] = {}
    for (asset_id, stage_id), pair in pairs.items():
        if pair.cut is not None:
            source = _sql(CUT_UNEXPOSED_DAYS, at_risk=at_risk)
            params = [asset_id, stage_id, asset_id, run.pk, stage_id, sql.moment(pair.cut), *risk_params]
            result[(asset_id, stage_id)] = days_quantiles(source, params).get((asset_id, stage_id), (None,))[
                0
            ]
        elif (asset_id, stage_id) in ranked:
            result[(asset_id, stage_id)] = ranked[(asset_id, stage_id)]
        elif not any(c.advanced for c in pair.exposed.values()):
            # No advanced deal used it: the deals without it are all the stage's advanced deals at risk.
            result[(asset_id, stage_id)] = stage_days.get((stage_id, 0), (None,))[0]
        else:
            result[(asset_id, stage_id)] = None  # every advanced deal at risk used it
    return result


def _metric(
    run: AnalyticsRun, key: tuple[int, int], pair: Pair, comparable: dict[tuple, Counts]
) -> AssetStageMetric:
    asset_id, stage_id = key
    exp, unexp, table = Counts(), Counts(), []
    enough_exposed = enough_unexposed = 0
    for stratum, total in comparable.items():
        e = pair.exposed.get(stratum, Counts())
        u = total.minus(e)
        exp.plus(e)
        unexp.plus(u)
        table.append(stats.Stratum(e.advanced, e.lost, u.advanced, u.lost))
        if e.resolved and u.resolved:
            enough_exposed, enough_unexposed = enough_exposed + e.resolved, enough_unexposed + u.resolved
    exposed_rate = stats.rate(exp.advanced, exp.resolved)
    unexposed_rate = stats.rate(unexp.advanced, unexp.resolved)
    interval = stats.newcombe(exp.advanced, exp.resolved, unexp.advanced, unexp.resolved)
    minimum = settings.ANALYTICS_MIN_DEALS
    enough = enough_exposed >= minimum and enough_unexposed >= minimum
    adjusted = stats.mantel_haenszel_rd_ci(table) if enough else None
    test = stats.cmh_test(table) if enough else None
    metric = AssetStageMetric(
        run=run,
        asset_id=asset_id,
        stage_id=stage_id,
        exposed_deals=exp.resolved,
        exposed_advanced=exp.advanced,
        exposed_lost=exp.lost,
        exposed_open=exp.open,
        exposed_rate=exposed_rate,
        unexposed_deals=unexp.resolved,
        unexposed_advanced=unexp.advanced,
        unexposed_lost=unexp.lost,
        unexposed_open=unexp.open,
        unexposed_rate=unexposed_rate,
        lift=None if exposed_rate is None or unexposed_rate is None else exposed_rate - unexposed_rate,
        lift_low=interval[0] if interval else None,
        lift_high=interval[1] if interval else None,
        adjusted_lift=adjusted[0] if adjusted else None,
        adjusted_low=adjusted[1] if adjusted else None,
        adjusted_high=adjusted[2] if adjusted else None,
        later_deals=pair.later,
        p_value=test[1] if test else None,
        influenced_amount=pair.influenced,
        won_amount=pair.won,
        verdict=Verdict.TOO_LITTLE,
    )
    metric.enough = enough and adjusted is not None and test is not None
    return metric


def _judge(metrics: list[AssetStageMetric]) -> None:
    """q-values over every row with enough data, then each row's verdict."""
    tested = [m for m in metrics if m.enough]
    for metric, q in zip(tested, stats.benjamini_hochberg([m.p_value for m in tested]), strict=True):
        metric.q_value = q
    threshold = settings.ANALYTICS_Q_THRESHOLD
    for m in metrics:
        if not m.enough:
            m.verdict = Verdict.TOO_LITTLE
            m.adjusted_lift = m.adjusted_low = m.adjusted_high = m.p_value = m.q_value = None
            continue
        m.significant = m.q_value <= threshold and bool(m.adjusted_lift)
        if m.significant:
            m.verdict = Verdict.HELPS if m.adjusted_lift > 0 else Verdict.HURTS
        else:
            m.verdict = Verdict.NO_EVIDENCE
