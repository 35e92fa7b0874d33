"""From a run's working tables to its stored figures: counts per stratum come back from the database
(never rows per deal), medians come from ordered lists of days (enablement.analytics.medians), and
the pure functions of enablement.analytics.stats turn the counts into rates, intervals, adjusted lifts
and q-values. A refresh moves what it can by difference (enablement.analytics.delta) and computes
the rest of its scope here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db import connection

from enablement.analytics import delta, sql
from enablement.analytics.cohort import Landmarks
from enablement.analytics.comparison import Counts, Pair, judge, metric_build
from enablement.analytics.figures_sql import (
    AT_RISK_STRATA_SQL,
    CUTS,
    EXPOSED_DAYS_PG,
    EXPOSED_STRATA_SQL,
    PARTIAL_SQL,
    SCOPE,
)
from enablement.analytics.medians import (
    EXPOSED_DAYS_SQL,
    LEFT_OUT_DAYS_SQL,
    STAGE_DAYS_SQL,
    days_lists,
    median,
    median_without,
)
from enablement.analytics.models import AnalyticsRun, AssetStageMetric, Segment
from enablement.analytics.scope import FULL, Scope
from enablement.analytics.states import Cohort, cut_of, moment_of, states_replace, strata_sorted
from enablement.choices import ExposureKind

# What judging every row again (enablement.analytics.comparison.judge) can change in a row kept.
JUDGED = ["q_value", "significant", "verdict", "adjusted_fcr_low", "adjusted_fcr_high", "comparisons"]


KINDS = (ExposureKind.USED, ExposureKind.READ)


def _sql(template: str, scope: Scope | None = None, *, kind: str = ExposureKind.USED, **extra: str) -> str:
    """A statement over the working tables; `{exposure}` is the table of the kind's exposures."""
    tables = sql.tables()
    tables["exposure"] = tables["read" if kind == ExposureKind.READ else "exposure"]
    return template.format(**tables, cuts=CUTS, **(scope.fragments if scope else FULL), **extra)


def _pairs(run: AnalyticsRun, scope: Scope | None, cohort: Cohort, kind: str) -> dict[tuple[int, int], Pair]:
    """Each pair's exposed counts per stratum; on PostgreSQL also the exposed advanced days, in order
    (`cohort.exposed_days`; elsewhere `_medians` reads them)."""
    pairs: dict[tuple[int, int], Pair] = defaultdict(Pair)
    later: dict[tuple[int, int], int] = defaultdict(int)
    days: dict[tuple[int, int], list[float]] = defaultdict(list)
    statement = _sql(EXPOSED_STRATA_SQL, scope, kind=kind, days=EXPOSED_DAYS_PG if sql.postgres() else "NULL")
    # Grouped by one hash, not by sorting every exposure on six keys: the planner expects five times
    # the strata there are (owner, quarter and outcome taken as independent) and picks the slower sort.
    with sql.planner_without("enable_sort"):
        rows = sql.read_rows(statement, [run.pk])
    for asset_id, stage_id, owner_id, quarter, outcome, in_window, n, amount, won, stratum_days in rows:
        if not in_window:
            later[(asset_id, stage_id)] += n
            continue
        if stratum_days:
            days[(asset_id, stage_id)] += stratum_days
        pair = pairs[(asset_id, stage_id)]
        pair.exposed[(owner_id, quarter)].add(outcome, n)
        pair.influenced += Decimal(amount or 0)
        pair.won += Decimal(won or 0)
    for key, pair in pairs.items():
        pair.later = later.get(key, 0)
    if sql.postgres():
        cohort.exposed_days = {key: sorted(map(float, values)) for key, values in days.items()}
    return pairs


def asset_metrics_write(
    run: AnalyticsRun,
    landmarks: Landmarks,
    availability: dict[int, datetime],
    scopes: dict[str, Scope] | None = None,
) -> int:
    """Every (asset, stage) with an exposure of each kind (used, read): exposed against comparable
    unexposed entries at risk, and the inputs a refresh moves by difference (enablement.analytics.states).

    With `scopes` (the refresh, one per kind) only their pairs are computed again and written: those
    whose cohort stands by difference from the stored inputs (enablement.analytics.delta), the rest
    from the working tables; the rows of the other pairs stand, and every row's q-value and verdict
    follow from all the p-values of both kinds."""
    if scopes is None:
        with sql.hash_joins():
            base = _cohort_base(run, landmarks, None)
            metrics, pair_states = [], {}
            for kind in KINDS:
                computed, cohort = _asset_metrics(run, landmarks, availability, None, kind, base)
                metrics += computed
                pair_states |= _keyed(cohort.pair_states({(m.asset_id, m.stage_id) for m in computed}), kind)
        judge(metrics)
        AssetStageMetric.objects.filter(run=run).delete()
        AssetStageMetric.objects.bulk_create(metrics, batch_size=1000)
        states_replace(run, base.stage_states(), pair_states)
        return len(metrics)

    metrics, in_scope, stage_states, pair_states, stages = [], set(), {}, {}, set()
    for kind, scope in scopes.items():
        moved = delta.metrics_moved(run, landmarks, availability, scope)
        metrics += moved.metrics
        in_scope |= {(*key, kind) for key in moved.done}
        pair_states |= _keyed(moved.states, kind)
        scope.moved = len(moved.done)
        if not (scope.pairs or scope.stages or scope.assets):
            continue
        in_scope |= {(*key, kind) for key in scope.fill()}
        with sql.hash_joins():
            base = _cohort_base(run, landmarks, scope)
            computed, cohort = _asset_metrics(run, landmarks, availability, scope, kind, base)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {SCOPE}")
        metrics += computed
        stage_states |= base.stage_states()
        pair_states |= _keyed(cohort.pair_states({(m.asset_id, m.stage_id) for m in computed}), kind)
        stages |= scope.computed_stages
    stored = list(AssetStageMetric.objects.filter(run=run))
    kept = [m for m in stored if (m.asset_id, m.stage_id, m.exposure) not in in_scope]
    judged = [[getattr(m, f) for f in JUDGED] for m in kept]
    for m in kept:
        m.enough = m.p_value is not None  # rows without enough data carry no p-value
    judge(kept + metrics)
    AssetStageMetric.objects.filter(
        pk__in=[m.pk for m in stored if (m.asset_id, m.stage_id, m.exposure) in in_scope]
    ).delete()
    changed = [m for m, was in zip(kept, judged, strict=True) if [getattr(m, f) for f in JUDGED] != was]
    AssetStageMetric.objects.bulk_update(changed, JUDGED, batch_size=1000)
    AssetStageMetric.objects.bulk_create(metrics, batch_size=1000)
    states_replace(run, stage_states, pair_states, stages=stages, pairs=in_scope)
    return len(metrics)


def _keyed(states: dict[tuple[int, int], dict], kind: str) -> dict[tuple[int, int, str], dict]:
    return {(asset_id, stage_id, kind): state for (asset_id, stage_id), state in states.items()}


def segment_metrics_write(
    run: AnalyticsRun, landmarks: Landmarks, availability: dict[int, datetime], segment: str
) -> int:
    """The same figures over the deals in (`segment` "in") or out ("out") of the ideal buyer profile:
    every statement's entries are restricted to those deals; q-values are taken within the segment."""
    wanted = "TRUE" if segment == Segment.IN_PROFILE else "FALSE"
    deals = f"SELECT id FROM {sql.tables()['deal']} WHERE in_profile = {wanted}"
    restricted = Scope(fragments={**FULL, "stages": f"AND e.deal_id IN ({deals})"})
    metrics = []
    with sql.hash_joins():
        base = _cohort_base(run, landmarks, restricted)
        for kind in KINDS:
            metrics += _asset_metrics(run, landmarks, availability, restricted, kind, base)[0]
    for m in metrics:
        m.segment = segment
    judge(metrics)
    AssetStageMetric.segments.filter(run=run, segment=segment).delete()
    AssetStageMetric.segments.bulk_create(metrics, batch_size=1000)
    return len(metrics)


def _cohort_base(run: AnalyticsRun, landmarks: Landmarks, scope: Scope | None) -> Cohort:
    """What every kind's figures share: each stage's entries at risk per stratum, its first entry and
    the days of its advanced entries at risk."""
    at_risk, risk_params = landmarks.at_risk()
    cohort = Cohort(strata=defaultdict(lambda: defaultdict(Counts)))
    for stage_id, owner_id, quarter, outcome, n, first in sql.read_rows(
        _sql(AT_RISK_STRATA_SQL, scope, at_risk=at_risk), [run.pk, *risk_params]
    ):
        cohort.strata[stage_id][(owner_id, quarter)].add(outcome, n)
        first = moment_of(first)
        cohort.first[stage_id] = min(cohort.first.get(stage_id, first), first)
    cohort.stage_days = days_lists(_sql(STAGE_DAYS_SQL, scope, at_risk=at_risk), [run.pk, *risk_params])
    return cohort


def _asset_metrics(
    run: AnalyticsRun,
    landmarks: Landmarks,
    availability: dict[int, datetime],
    scope: Scope | None,
    kind: str,
    base: Cohort,
) -> tuple[list[AssetStageMetric], Cohort]:
    """The figures of every pair of one kind the scope lets through, not yet judged nor stored, and
    their inputs."""
    at_risk, risk_params = landmarks.at_risk()
    cohort = Cohort(strata=base.strata, first=base.first, stage_days=base.stage_days)
    cohort.pairs = pairs = _pairs(run, scope, cohort, kind)
    for (asset_id, stage_id), pair in pairs.items():
        first = cohort.first.get(stage_id)
        pair.cut = cut_of(availability.get(asset_id), landmarks.days.get(stage_id), first)
    _cuts_table(pairs)
    partial = _partial_counts(run, at_risk, risk_params, pairs, scope)
    medians = _medians(run, landmarks, cohort, scope, kind)
    metrics = []
    for key, pair in pairs.items():
        comparable = cohort.strata[key[1]]
        if pair.cut is not None:
            cut_quarter = sql.quarter_of(pair.cut)
            comparable = {k: c for k, c in comparable.items() if k[1] > cut_quarter} | partial.get(key, {})
        metric = metric_build(run, key, pair, strata_sorted(comparable))
        metric.exposure = kind
        metric.exposed_median_days, metric.unexposed_median_days = medians[key]
        metrics.append(metric)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {CUTS}")
    return metrics, cohort


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
    for asset_id, stage_id, owner_id, outcome, n in sql.read_rows(statement, [run.pk, *risk_params]):
        cut_quarter = sql.quarter_of(pairs[(asset_id, stage_id)].cut)
        partial[(asset_id, stage_id)][(owner_id, cut_quarter)].add(outcome, n)
    return partial


def _medians(
    run: AnalyticsRun, landmarks: Landmarks, cohort: Cohort, scope: Scope | None, kind: str
) -> dict[tuple[int, int], tuple[float | None, float | None]]:
    """Per pair, the median days of advanced deals with the asset and of comparable ones without it."""
    at_risk, risk_params = landmarks.at_risk()
    if not sql.postgres():  # PostgreSQL brought them with the exposed strata (_pairs)
        cohort.exposed_days = days_lists(_sql(EXPOSED_DAYS_SQL, scope, kind=kind), [run.pk])
    left_out = {}
    if any(pair.cut is not None for pair in cohort.pairs.values()):
        left_out = days_lists(_sql(LEFT_OUT_DAYS_SQL, scope, at_risk=at_risk), [run.pk, *risk_params])
    medians = {}
    for key in cohort.pairs:
        used = cohort.exposed_days.get(key, [])
        everyone = cohort.stage_days.get((key[1], 0), [])
        medians[key] = (median(used), median_without(everyone, used, left_out.get(key, [])))
    return medians
