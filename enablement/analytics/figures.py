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

from django.conf import settings
from django.db import connection

from assets.choices import StageOutcome
from assets.models import Asset, FunnelStage
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
SELECT e.stage_id, e.owner_id, e.quarter, e.outcome, COUNT(*), MIN(e.entered_at) FROM {entry} e
WHERE e.run_id = %s AND {at_risk} {stages} GROUP BY e.stage_id, e.owner_id, e.quarter, e.outcome
"""
# Uses before the landmark per stratum, and (in_window false) uses only later, in one pass.
EXPOSED_STRATA_SQL = """
SELECT x.asset_id, e.stage_id, e.owner_id, e.quarter, e.outcome, x.in_window, COUNT(*), SUM(e.amount),
       SUM(CASE WHEN e.won THEN e.amount ELSE 0 END)
FROM {exposure} x JOIN {entry} e ON e.id = x.entry_id {pairs}
WHERE x.run_id = %s {stages}
GROUP BY x.asset_id, e.stage_id, e.owner_id, e.quarter, e.outcome, x.in_window
"""
# For assets available after a stage's first entries (the cuts table): the entries of the cut's own
# quarter that entered after it, which are comparable; earlier quarters are not, later ones are.
PARTIAL_SQL = """
SELECT c.asset_id, c.stage_id, e.owner_id, e.outcome, COUNT(*)
FROM {cuts} c JOIN {entry} e ON e.run_id = %s AND e.stage_id = c.stage_id AND e.quarter = c.quarter
WHERE e.entered_at > c.cut AND {at_risk}
GROUP BY c.asset_id, c.stage_id, e.owner_id, e.outcome
"""
AT_RISK_DAYS = """
SELECT e.stage_id AS k1, 0 AS k2, e.days FROM {entry} e
WHERE e.run_id = %s AND e.outcome = 'advanced' AND {at_risk} {stages}
"""
# The median of the deals *without* an asset, for every (asset, stage) at once, without listing
# them: rank the stage's advanced entries by days (g); number the ones left out for each asset
# among them (j): those that used it, and those not comparable (entered before its cut). Left-out
# entry j has g − j kept entries before it, so the k-th kept entry has rank k + #{left out with
# g − j < k}. Work grows with the entries plus the exposures, not their product.
UNEXPOSED_MEDIANS_SQL = """
WITH ranked AS (
    SELECT e.id, e.stage_id, e.entered_at, e.days,
           ROW_NUMBER() OVER (PARTITION BY e.stage_id ORDER BY e.days, e.id) AS g
    FROM {entry} e WHERE e.run_id = %s AND e.outcome = 'advanced' AND {at_risk} {stages}
), n AS (
    SELECT stage_id, COUNT(*) AS n FROM ranked GROUP BY stage_id
), out AS (
    SELECT x.asset_id, r.stage_id, r.g, r.days, 1 AS used FROM {exposure} x JOIN ranked r ON r.id = x.entry_id
    {pairs_r}
    WHERE x.run_id = %s AND x.in_window
    UNION ALL
    SELECT c.asset_id, r.stage_id, r.g, r.days, 0 FROM {cuts} c JOIN ranked r ON r.stage_id = c.stage_id
    WHERE r.entered_at <= c.cut
), xs AS (
    SELECT asset_id, stage_id, g, days, used,
           ROW_NUMBER() OVER (PARTITION BY asset_id, stage_id ORDER BY g) AS j,
           SUM(used) OVER (PARTITION BY asset_id, stage_id ORDER BY g) AS ju,
           SUM(used) OVER (PARTITION BY asset_id, stage_id) AS cu
    FROM out
), em AS (
    -- the median of those that used it, from the same numbering (one row, or the mean of two)
    SELECT asset_id, stage_id, AVG(days) AS median FROM xs
    WHERE used = 1 AND (ju = (cu + 1) / 2 OR ju = (cu + 2) / 2) GROUP BY asset_id, stage_id
), ks AS (
    SELECT xs.asset_id, xs.stage_id, (MAX(n.n) - COUNT(*) + 1) / 2 AS k1, (MAX(n.n) - COUNT(*) + 2) / 2 AS k2
    FROM xs JOIN n ON n.stage_id = xs.stage_id
    GROUP BY xs.asset_id, xs.stage_id
), ts AS (
    SELECT ks.asset_id, ks.stage_id,
           ks.k1 + SUM(CASE WHEN xs.g - xs.j < ks.k1 THEN 1 ELSE 0 END) AS t1,
           ks.k2 + SUM(CASE WHEN xs.g - xs.j < ks.k2 THEN 1 ELSE 0 END) AS t2
    FROM ks JOIN xs ON xs.asset_id = ks.asset_id AND xs.stage_id = ks.stage_id
    GROUP BY ks.asset_id, ks.stage_id, ks.k1, ks.k2
)
SELECT ts.asset_id, ts.stage_id, r1.days, r2.days, em.median
FROM ts LEFT JOIN ranked r1 ON r1.stage_id = ts.stage_id AND r1.g = ts.t1
LEFT JOIN ranked r2 ON r2.stage_id = ts.stage_id AND r2.g = ts.t2
LEFT JOIN em ON em.asset_id = ts.asset_id AND em.stage_id = ts.stage_id
"""
CUTS = "analytics_cuts"
SCOPE = "analytics_scope"


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
    with _hash_joins():
        return _asset_metrics_write(run, landmarks, availability, scope)


def _asset_metrics_write(
    run: AnalyticsRun, landmarks: Landmarks, availability: dict[int, datetime], scope: Scope | None
) -> int:
    in_scope = scope.fill() if scope is not None else None
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
    partial = _partial_counts(run, at_risk, risk_params, pairs)
    advancing = {stage for stage, by in strata.items() if any(c.advanced for c in by.values())}
    exposed_days, unexposed_days = _medians(run, landmarks, pairs, advancing, scope)
    metrics = []
    for key, pair in pairs.items():
        comparable = strata[key[1]]
        if pair.cut is not None:
            cut_quarter = sql.quarter_of(pair.cut)
            comparable = {k: c for k, c in comparable.items() if k[1] > cut_quarter} | partial.get(key, {})
        metrics.append(_metric(run, key, pair, comparable))
    for m in metrics:
        m.exposed_median_days = exposed_days.get((m.asset_id, m.stage_id))
        m.unexposed_median_days = unexposed_days.get((m.asset_id, m.stage_id))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {CUTS}")
        if scope is not None:
            cursor.execute(f"DROP TABLE {SCOPE}")
    if in_scope is None:
        _judge(metrics)
        AssetStageMetric.objects.filter(run=run).delete()
        AssetStageMetric.objects.bulk_create(metrics, batch_size=1000)
        return len(metrics)
    stored = list(AssetStageMetric.objects.filter(run=run))
    kept = [m for m in stored if (m.asset_id, m.stage_id) not in in_scope]
    for m in kept:
        m.enough = m.p_value is not None  # rows without enough data carry no p-value
    _judge(kept + metrics)
    AssetStageMetric.objects.filter(
        pk__in=[m.pk for m in stored if (m.asset_id, m.stage_id) in in_scope]
    ).delete()
    AssetStageMetric.objects.bulk_update(kept, ["q_value", "significant", "verdict"], batch_size=1000)
    AssetStageMetric.objects.bulk_create(metrics, batch_size=1000)
    return len(metrics)


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
    run: AnalyticsRun, at_risk: str, risk_params: list, pairs: dict[tuple[int, int], Pair]
) -> dict[tuple[int, int], dict]:
    """Per cut pair and owner, the comparable entries of the cut's own quarter."""
    partial: dict[tuple[int, int], dict[tuple, Counts]] = defaultdict(lambda: defaultdict(Counts))
    statement = _sql(PARTIAL_SQL, at_risk=at_risk)
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
