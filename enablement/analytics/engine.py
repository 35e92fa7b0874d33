"""The analytics engine: CONTRACT section 3 computed in the database, statistics over the counts.

1. Stage entries: each deal's first entry into each open stage, with its outcome (advanced, lost,
   open), when it resolved and the days it took — one INSERT … SELECT.
2. Exposures: which assets were used in each entry's window (entered ≤ occurred < resolved) — one
   INSERT … SELECT DISTINCT over the usage events.
3. Counts per (asset, stage, owner, outcome) and per (stage, owner, outcome), medians by window
   functions; only these aggregates come back to Python, where the pure functions of
   enablement.analytics.stats turn them into rates, intervals, adjusted lifts and q-values.

A run is written in one transaction and replaces older runs when it commits, so readers always see
one complete run; a cache lock keeps two runs from computing at once (with the cache down, a run goes
without it: see analytics_compute).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from assets.models import FunnelStage
from config.cache_outage import CACHE_ERRORS
from enablement.analytics import stats
from enablement.analytics.models import (
    AnalyticsRun,
    AssetStageMetric,
    Exposure,
    StageEntry,
    StageMetric,
)
from enablement.choices import Verdict
from enablement.models import Account, Deal, StageChange, UsageEvent

LOCK_KEY = "analytics:compute-lock"
LOCK_SECONDS = 60 * 60
logger = logging.getLogger(__name__)


def _tables() -> dict[str, str]:
    return {
        "entry": StageEntry._meta.db_table,
        "exposure": Exposure._meta.db_table,
        "change": StageChange._meta.db_table,
        "stage": FunnelStage._meta.db_table,
        "deal": Deal._meta.db_table,
        "account": Account._meta.db_table,
        "usage": UsageEvent._meta.db_table,
    }


def _days(start: str, end: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0"
    return f"(julianday({end}) - julianday({start}))"


LOST_FIRST = "f.lost_at IS NOT NULL AND (f.advanced_at IS NULL OR f.lost_at < f.advanced_at)"

ENTRIES_SQL = """
INSERT INTO {entry} (run_id, deal_id, stage_id, owner_id, entered_at, outcome, resolved_at, days,
                     industry, region, amount, won)
SELECT %s, f.deal_id, f.stage_id, d.owner_id, f.entered_at,
       CASE WHEN {lost_first} THEN 'lost' WHEN f.advanced_at IS NOT NULL THEN 'advanced' ELSE 'open' END,
       CASE WHEN {lost_first} THEN f.lost_at ELSE f.advanced_at END,
       CASE WHEN {lost_first} THEN NULL WHEN f.advanced_at IS NOT NULL THEN {days} END,
       COALESCE(a.industry, ''), COALESCE(a.region, ''), d.amount,
       CASE WHEN cs.outcome = 'won' THEN TRUE ELSE FALSE END
FROM (
    SELECT g.deal_id, g.stage_id, g.entered_at,
           (SELECT MIN(l.entered_at) FROM {change} l JOIN {stage} ls ON ls.id = l.stage_id
             WHERE l.deal_id = g.deal_id AND l.entered_at > g.entered_at
               AND ls.outcome <> 'lost' AND ls."order" > g.stage_order) AS advanced_at,
           (SELECT MIN(l.entered_at) FROM {change} l JOIN {stage} ls ON ls.id = l.stage_id
             WHERE l.deal_id = g.deal_id AND l.entered_at > g.entered_at AND ls.outcome = 'lost') AS lost_at
    FROM (SELECT sc.deal_id, sc.stage_id, s."order" AS stage_order, MIN(sc.entered_at) AS entered_at
            FROM {change} sc JOIN {stage} s ON s.id = sc.stage_id
           WHERE s.outcome = 'open'
           GROUP BY sc.deal_id, sc.stage_id, s."order") g
) f
JOIN {deal} d ON d.id = f.deal_id
LEFT JOIN {account} a ON a.id = d.account_id
LEFT JOIN {stage} cs ON cs.id = d.current_stage_id
"""

EXPOSURES_SQL = """
INSERT INTO {exposure} (run_id, asset_id, entry_id)
SELECT DISTINCT %s, u.asset_id, e.id
FROM {usage} u JOIN {entry} e ON e.deal_id = u.deal_id AND e.run_id = %s
WHERE u.occurred_at >= e.entered_at AND (e.resolved_at IS NULL OR u.occurred_at < e.resolved_at)
"""

STAGE_COUNTS_SQL = """
SELECT stage_id, owner_id, outcome, COUNT(*) FROM {entry}
WHERE run_id = %s GROUP BY stage_id, owner_id, outcome
"""

EXPOSED_COUNTS_SQL = """
SELECT x.asset_id, e.stage_id, e.owner_id, e.outcome, COUNT(*), SUM(e.amount),
       SUM(CASE WHEN e.won THEN e.amount ELSE 0 END)
FROM {exposure} x JOIN {entry} e ON e.id = x.entry_id
WHERE x.run_id = %s
GROUP BY x.asset_id, e.stage_id, e.owner_id, e.outcome
"""

# Days of advanced entries, keyed; the window picks the middle rows and the 75th-percentile row.
QUANTILES_SQL = """
SELECT k1, k2, days, rn, cnt FROM (
    SELECT k1, k2, days, ROW_NUMBER() OVER (PARTITION BY k1, k2 ORDER BY days) AS rn,
           COUNT(*) OVER (PARTITION BY k1, k2) AS cnt
    FROM ({source}) src
) ranked
WHERE rn = (cnt + 1) / 2 OR rn = (cnt + 2) / 2 OR rn = (3 * cnt + 3) / 4
"""

STAGE_DAYS = "SELECT stage_id AS k1, 0 AS k2, days FROM {entry} WHERE run_id = %s AND outcome = 'advanced'"
EXPOSED_DAYS = """
SELECT x.asset_id AS k1, e.stage_id AS k2, e.days
FROM {exposure} x JOIN {entry} e ON e.id = x.entry_id
WHERE x.run_id = %s AND e.outcome = 'advanced'
"""
UNEXPOSED_DAYS = """
SELECT p.asset_id AS k1, e.stage_id AS k2, e.days
FROM (SELECT DISTINCT x.asset_id, e2.stage_id FROM {exposure} x JOIN {entry} e2 ON e2.id = x.entry_id
       WHERE x.run_id = %s) p
JOIN {entry} e ON e.run_id = %s AND e.stage_id = p.stage_id AND e.outcome = 'advanced'
WHERE NOT EXISTS (SELECT 1 FROM {exposure} x2 WHERE x2.run_id = %s AND x2.asset_id = p.asset_id
                  AND x2.entry_id = e.id)
"""


def _sql(template: str, **extra: str) -> str:
    return template.format(**_tables(), **extra)


def days_quantiles(source: str, params: list) -> dict[tuple[int, int], tuple[float, float]]:
    """{(k1, k2): (median, 75th percentile by nearest rank)} of the days a query yields.

    `source` is finished SQL selecting `k1, k2, days`; only the few rows the window picks come back.
    """
    picked: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    counts: dict[tuple[int, int], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(QUANTILES_SQL.format(source=source), params)
        for k1, k2, days, rn, cnt in cursor.fetchall():
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

    @property
    def resolved(self) -> int:
        return self.advanced + self.lost


def analytics_compute() -> AnalyticsRun | None:
    """Compute a full run and make it current; None if another run is computing right now."""
    try:
        locked = cache.add(LOCK_KEY, "1", LOCK_SECONDS)
    except CACHE_ERRORS as exc:
        # Run without the lock rather than skip. The lock only saves work: each run is written in one
        # transaction and only replaces older runs, so two at once cost time but never mix their
        # rows. Skipping would leave the nightly run, the after-import refresh and compute_analytics
        # doing nothing for as long as the cache is down.
        logger.warning(
            "Cache unreachable, analytics computed without the lock that keeps runs apart: %s", exc
        )
        return _compute()
    if not locked:
        return None
    try:
        return _compute()
    finally:
        try:
            cache.delete(LOCK_KEY)
        except CACHE_ERRORS as exc:
            logger.warning(
                "Cache unreachable, the analytics lock expires by itself in %d s: %s", LOCK_SECONDS, exc
            )


@transaction.atomic
def _compute() -> AnalyticsRun:
    started = time.perf_counter()
    run = AnalyticsRun.objects.create(computed_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(ENTRIES_SQL, lost_first=LOST_FIRST, days=_days("f.entered_at", "f.advanced_at")), [run.pk]
        )
        cursor.execute(_sql(EXPOSURES_SQL), [run.pk, run.pk])
        cursor.execute(_sql(STAGE_COUNTS_SQL), [run.pk])
        stage_owner = cursor.fetchall()
        cursor.execute(_sql(EXPOSED_COUNTS_SQL), [run.pk])
        exposed_rows = cursor.fetchall()
    _write_stage_metrics(run, stage_owner)
    _write_asset_metrics(run, stage_owner, exposed_rows)
    run.complete, run.finished_at = True, timezone.now()
    run.seconds = time.perf_counter() - started
    run.deals = Deal.objects.count()
    run.usage_events = UsageEvent.objects.count()
    run.save()
    _remove_older_runs(run)
    return run


def _write_stage_metrics(run: AnalyticsRun, stage_owner: list[tuple]) -> None:
    totals: dict[int, Counts] = defaultdict(Counts)
    for stage_id, _owner, outcome, n in stage_owner:
        totals[stage_id].add(outcome, n)
    quantiles = days_quantiles(_sql(STAGE_DAYS), [run.pk])
    metrics = []
    for stage in FunnelStage.objects.filter(outcome="open"):
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
            )
        )
    StageMetric.objects.bulk_create(metrics)


def _write_asset_metrics(run: AnalyticsRun, stage_owner: list[tuple], exposed_rows: list[tuple]) -> None:
    stage_totals: dict[int, dict[int | None, Counts]] = defaultdict(lambda: defaultdict(Counts))
    for stage_id, owner_id, outcome, n in stage_owner:
        stage_totals[stage_id][owner_id].add(outcome, n)
    exposed: dict[tuple[int, int], dict[int | None, Counts]] = defaultdict(lambda: defaultdict(Counts))
    amounts: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for asset_id, stage_id, owner_id, outcome, n, amount, won in exposed_rows:
        exposed[(asset_id, stage_id)][owner_id].add(outcome, n)
        amounts[(asset_id, stage_id)][0] += Decimal(amount or 0)
        amounts[(asset_id, stage_id)][1] += Decimal(won or 0)
    exposed_days = days_quantiles(_sql(EXPOSED_DAYS), [run.pk])
    unexposed_days = days_quantiles(_sql(UNEXPOSED_DAYS), [run.pk, run.pk, run.pk])
    minimum = settings.ANALYTICS_MIN_DEALS
    metrics = []
    for (asset_id, stage_id), by_owner in exposed.items():
        strata, exp, unexp = [], Counts(), Counts()
        for owner_id, total in stage_totals[stage_id].items():
            e = by_owner.get(owner_id, Counts())
            u = Counts(total.advanced - e.advanced, total.lost - e.lost, total.open - e.open)
            for mine, part in ((exp, e), (unexp, u)):
                mine.advanced, mine.lost, mine.open = (
                    mine.advanced + part.advanced,
                    mine.lost + part.lost,
                    mine.open + part.open,
                )
            strata.append(stats.Stratum(e.advanced, e.lost, u.advanced, u.lost))
        exposed_rate, unexposed_rate = (
            stats.rate(exp.advanced, exp.resolved),
            stats.rate(unexp.advanced, unexp.resolved),
        )
        interval = stats.newcombe(exp.advanced, exp.resolved, unexp.advanced, unexp.resolved)
        test = stats.cmh_test(strata)
        metrics.append(
            AssetStageMetric(
                run=run,
                asset_id=asset_id,
                stage_id=stage_id,
                exposed_deals=exp.resolved,
                exposed_advanced=exp.advanced,
                exposed_lost=exp.lost,
                exposed_open=exp.open,
                exposed_rate=exposed_rate,
                exposed_median_days=exposed_days.get((asset_id, stage_id), (None,))[0],
                unexposed_deals=unexp.resolved,
                unexposed_advanced=unexp.advanced,
                unexposed_lost=unexp.lost,
                unexposed_open=unexp.open,
                unexposed_rate=unexposed_rate,
                unexposed_median_days=unexposed_days.get((asset_id, stage_id), (None,))[0],
                lift=None
                if exposed_rate is None or unexposed_rate is None
                else exposed_rate - unexposed_rate,
                lift_low=interval[0] if interval else None,
                lift_high=interval[1] if interval else None,
                adjusted_lift=stats.mantel_haenszel_rd(strata),
                p_value=test[1] if test else None,
                influenced_amount=amounts[(asset_id, stage_id)][0],
                won_amount=amounts[(asset_id, stage_id)][1],
                verdict=Verdict.TOO_LITTLE,
            )
        )
        metrics[-1].enough = exp.resolved >= minimum and unexp.resolved >= minimum
    _judge(metrics)
    AssetStageMetric.objects.bulk_create(metrics, batch_size=1000)


def _judge(metrics: list[AssetStageMetric]) -> None:
    """q-values over every row with enough data, then each row's verdict."""
    tested = [m for m in metrics if m.enough and m.p_value is not None]
    for metric, q in zip(tested, stats.benjamini_hochberg([m.p_value for m in tested]), strict=True):
        metric.q_value = q
    threshold = settings.ANALYTICS_Q_THRESHOLD
    for m in metrics:
        if not m.enough:
            m.verdict = Verdict.TOO_LITTLE
            continue
        m.significant = m.q_value is not None and m.q_value <= threshold and bool(m.adjusted_lift)
        if m.significant:
            m.verdict = Verdict.HELPS if m.adjusted_lift > 0 else Verdict.HURTS
        else:
            m.verdict = Verdict.NO_EVIDENCE


def _remove_older_runs(run: AnalyticsRun) -> None:
    older = list(
        AnalyticsRun.objects.filter(computed_at__lte=run.computed_at)
        .exclude(pk=run.pk)
        .values_list("pk", flat=True)
    )
    if not older:
        return
    # Plain bulk deletes: the cohort tables are large and need no per-row cascade.
    marks = ", ".join(["%s"] * len(older))
    with connection.cursor() as cursor:
        for table in (Exposure._meta.db_table, StageEntry._meta.db_table):
            cursor.execute(f"DELETE FROM {table} WHERE run_id IN ({marks})", older)
    AnalyticsRun.objects.filter(pk__in=older).delete()


def current_run() -> AnalyticsRun | None:
    return AnalyticsRun.objects.filter(complete=True).order_by("-computed_at").first()
