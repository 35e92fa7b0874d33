"""Benchmark: the analytics on 100,000 deals and 1,000,000 usage events (PostgreSQL), against the
fastest hand-written SQL computing the same counts under the same definitions (docs/analytics-method.md:
landmark, cohort at risk, exposure before the landmark, comparable deals), timed in the same run.

1. A small run first, so the working tables carry statistics from a nearly empty run.
2. The big data, its tables analysed. Then three rounds, each: the hand-written query; a full
   recompute with the working tables' statistics from a nearly empty table (round 1: the small run;
   rounds 2 and 3: the tables emptied and analysed); a full recompute with statistics from the big
   run; 1,000 new usage events and the refresh after them; a full recompute of the same data, whose
   figures must equal the refresh's.
3. Each ratio is of the fastest of the three (the machine is shared; the fastest of each is the
   least disturbed), every sample printed: cold and warm full recomputes to the query, the refresh
   to the full recomputes.

The data are generated inside PostgreSQL (generate_series), recorded "long ago" as a CRM's history
is, so the figures measure the analytics and nothing else. `ANALYTICS_BENCH_DEALS` scales it down
for development. Run with `DATABASE_URL=postgres://… make bench` (.ci/run does).
"""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import AssetStageMetric, Exposure, FigureState, StageEntry
from enablement.models import Deal
from tests.benchmarks.scale_data import LONG_AGO, deals_generate
from tests.factories import AssetFactory, UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DEALS = int(os.environ.get("ANALYTICS_BENCH_DEALS", "100000"))
EVENTS, ASSETS, REPS, SMALL, NEW_EVENTS = DEALS * 10, 60, 12, 200, 1000

# The baseline: per (asset, stage), exposed and unexposed deals at risk that advanced or were lost,
# in one statement over the history and usage tables. Entries by windows over one sort of the
# history (latest first), per open stage the first later row reaching further and the stage's
# earliest row, resolution times read from the deal's times by row number (`{picked}`, written from
# the stages as the engine does: faster than the self-join of the history it had before, and than a
# MIN per stage for the times and a COUNT per stage over the earlier rows);
# the landmark by percentile_disc; comparable deals by a running count over entries and availability
# points merged in time order (no join of every asset with every entry).
HAND_WRITTEN = """
WITH r AS (
    SELECT h.deal_id, h.stage_id, h.entered_at, {picked},
           MAX(CASE WHEN h.outcome = 'lost' THEN h.seq END) OVER f AS lseq,
           array_agg(h.entered_at) OVER w AS times
    FROM (
        SELECT sc.id, sc.deal_id, sc.stage_id, sc.entered_at, s."order" AS ord, s.outcome,
               ROW_NUMBER() OVER (PARTITION BY sc.deal_id
                                  ORDER BY sc.entered_at DESC, s."order" DESC, sc.id DESC) AS seq
        FROM enablement_stagechange sc JOIN assets_funnelstage s ON s.id = sc.stage_id
    ) h
    WINDOW f AS (PARTITION BY h.deal_id ORDER BY h.entered_at DESC, h.ord DESC, h.id DESC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
           w AS (PARTITION BY h.deal_id ORDER BY h.entered_at DESC, h.ord DESC, h.id DESC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
), entries AS (
    SELECT deal_id, stage_id, entered_at,
           CASE WHEN aseq IS NULL OR lseq > aseq THEN times[lseq] ELSE times[aseq] END AS resolved_at,
           CASE WHEN aseq IS NULL AND lseq IS NULL THEN 'open'
                WHEN aseq IS NULL OR lseq > aseq THEN 'lost' ELSE 'advanced' END AS outcome
    FROM r WHERE is_first
), landmark AS (
    SELECT s.id AS stage_id, COALESCE(s.landmark_days, GREATEST(1, CEIL(q.p25))) AS days
    FROM assets_funnelstage s JOIN (
        SELECT stage_id, percentile_disc(0.25) WITHIN GROUP (
            ORDER BY EXTRACT(EPOCH FROM resolved_at - entered_at) / 86400.0) AS p25
        FROM entries WHERE outcome <> 'open' GROUP BY stage_id
    ) q ON q.stage_id = s.id
), at_risk AS (
    SELECT x.* FROM (
        SELECT e.*, e.entered_at + m.days * INTERVAL '24 hours' AS landmark_at
        FROM entries e JOIN landmark m ON m.stage_id = e.stage_id
    ) x WHERE x.landmark_at <= now() AND (x.resolved_at IS NULL OR x.resolved_at >= x.landmark_at)
), exposed AS (
    SELECT DISTINCT u.asset_id, a.deal_id, a.stage_id, a.outcome
    FROM enablement_usageevent u JOIN at_risk a ON a.deal_id = u.deal_id
    WHERE u.occurred_at >= a.entered_at AND u.occurred_at < a.landmark_at
), available AS (
    SELECT a.id AS asset_id, LEAST(a.published_at, MIN(u.occurred_at)) AS at
    FROM assets_asset a JOIN enablement_usageevent u ON u.asset_id = a.id GROUP BY a.id
), pairs AS (
    SELECT asset_id, stage_id FROM exposed GROUP BY asset_id, stage_id
), timeline AS (
    SELECT stage_id, outcome, landmark_at AS at, 0 AS kind, NULL::bigint AS asset_id
    FROM at_risk WHERE outcome <> 'open'
    UNION ALL
    SELECT p.stage_id, o.outcome, v.at, 1, p.asset_id
    FROM pairs p JOIN available v ON v.asset_id = p.asset_id
    CROSS JOIN (VALUES ('advanced'), ('lost')) o(outcome)
), counted AS (
    SELECT stage_id, outcome, kind, asset_id,
           COUNT(*) FILTER (WHERE kind = 0) OVER (PARTITION BY stage_id, outcome ORDER BY at, kind
                                                  ROWS UNBOUNDED PRECEDING) AS before,
           COUNT(*) FILTER (WHERE kind = 0) OVER (PARTITION BY stage_id, outcome) AS total
    FROM timeline
), comparable AS (
    SELECT asset_id, stage_id, SUM(total - before) FILTER (WHERE outcome = 'advanced') AS advanced,
           SUM(total - before) FILTER (WHERE outcome = 'lost') AS lost
    FROM counted WHERE kind = 1 GROUP BY asset_id, stage_id
)
SELECT c.asset_id, c.stage_id, x.advanced, x.lost, c.advanced - x.advanced, c.lost - x.lost
FROM comparable c JOIN (
    SELECT asset_id, stage_id, COUNT(*) FILTER (WHERE outcome = 'advanced') AS advanced,
           COUNT(*) FILTER (WHERE outcome = 'lost') AS lost
    FROM exposed GROUP BY asset_id, stage_id
) x ON x.asset_id = c.asset_id AND x.stage_id = c.stage_id
"""


def timed(action):
    """`action`'s seconds, from a checkpoint: every measurement (the query's and the engine's alike)
    starts with no dirty pages left by the one before, whose writing back would otherwise fall on it
    (shared buffers are small here: the refresh right after a full run wrote out 500-1,000 of them)."""
    with connection.cursor() as c:
        c.execute("CHECKPOINT")
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def counts(run) -> dict:
    return {
        (m.asset_id, m.stage_id): (m.exposed_advanced, m.exposed_lost, m.unexposed_advanced, m.unexposed_lost)
        for m in AssetStageMetric.objects.filter(run=run)
    }


def figures(run) -> dict:
    fields = [f.name for f in AssetStageMetric._meta.fields if f.name not in ("id", "run")]
    return {
        (m.asset_id, m.stage_id): [getattr(m, f) for f in fields]
        for m in AssetStageMetric.objects.filter(run=run)
    }


def hand_written() -> str:
    stages = FunnelStage.objects.filter(outcome="open").values_list("pk", "order")
    first = " ".join(
        f"WHEN {pk} THEN h.seq = MAX(CASE WHEN h.stage_id = {pk} THEN h.seq END) OVER w" for pk, _ in stages
    )
    later = " ".join(
        f"WHEN {pk} THEN MAX(CASE WHEN h.outcome <> 'lost' AND h.ord > {order} THEN h.seq END) OVER f"
        for pk, order in stages
    )
    picked = f"(CASE h.stage_id {first} END) AS is_first, (CASE h.stage_id {later} END) AS aseq"
    return HAND_WRITTEN.replace("{picked}", picked)


def baseline() -> tuple[dict, float]:
    statement = hand_written()

    def query():
        with connection.cursor() as c:
            c.execute("SET work_mem = '256MB'")
            c.execute(statement)
            rows = c.fetchall()
            c.execute("RESET work_mem")
            return rows

    rows, seconds = timed(query)
    return {(a, s): tuple(int(v) for v in rest) for a, s, *rest in rows}, seconds


ROUNDS = 3


def new_events(round_number: int, assets: list[int]) -> None:
    """1,000 uses recorded now. The earlier rounds' are dated back first, as the time between two
    refreshes would: a refresh reads what was recorded since the last run, less a margin for clocks
    (ANALYTICS_REFRESH_OVERLAP, longer than a round), and those were read by the full runs since."""
    with connection.cursor() as c:
        c.execute(f"UPDATE enablement_usageevent SET recorded_at = {LONG_AGO} WHERE event_id LIKE 'new-%%'")
        c.execute(
            """
            INSERT INTO enablement_usageevent (event_id, asset_id, deal_id, rep_id, action, occurred_at,
                                               source, recorded_at)
            SELECT 'new-' || %s || '-' || g, (%s::bigint[])[1 + (g * 11) %% %s], d.id, d.owner_id, 'viewed',
                   d.created_at + ((g + %s) %% 9) * INTERVAL '1 day', 'api', clock_timestamp()
            FROM generate_series(1, %s) g
            JOIN enablement_deal d ON d.external_id = 'B' || (1 + (g * 97 + %s * 31) %% %s)""",
            [round_number, assets, ASSETS, round_number, NEW_EVENTS, round_number, DEALS],
        )


def working_tables_analysed_empty() -> None:
    """The working tables as a run finds them after an empty one: no rows, and statistics saying so."""
    tables = [m._meta.db_table for m in (Exposure, StageEntry, FigureState)]
    with connection.cursor() as c:
        c.execute(f"TRUNCATE {', '.join(tables)}")
        for table in tables:
            c.execute(f"ANALYZE {table}")


def test_full_recompute_and_refresh_against_the_hand_written_query():
    reps = [UserFactory(username=f"bench-rep-{n}").pk for n in range(REPS)]
    assets = [AssetFactory(slug=f"bench-{n}", title=f"Bench asset {n}").pk for n in range(ASSETS)]
    # Published before the history begins: every deal is comparable (a late asset costs a pass over
    # the entries before it, measured by the tests, not here).
    AssetFactory._meta.model.objects.update(published_at="2023-06-01T00:00:00Z")
    deals_generate(1, SMALL, SMALL * 10, reps, assets)
    analytics_compute()  # the working tables are analysed while nearly empty
    _, generated = timed(lambda: deals_generate(SMALL + 1, DEALS - SMALL, EVENTS - SMALL * 10, reps, assets))

    hands, colds, warms, refreshes, fulls = [], [], [], [], []
    for round_number in range(ROUNDS):
        expected, hand = baseline()
        hands.append(hand)
        if round_number:
            working_tables_analysed_empty()
        cold, seconds = timed(analytics_compute)
        colds.append(seconds)
        assert counts(cold) == expected  # the same counts, so the comparison is fair
        warm, seconds = timed(analytics_compute)
        warms.append(seconds)
        assert counts(warm) == expected
        new_events(round_number, assets)
        refreshed, seconds = timed(lambda: analytics_compute(refresh=True))
        refreshes.append(seconds)
        assert refreshed.mode == "refresh"
        after_refresh = figures(refreshed)
        full, seconds = timed(analytics_compute)
        fulls.append(seconds)
        assert figures(full) == after_refresh
        if round_number == 0:
            runs = [("round 1's full (small run's statistics)", cold), ("round 1's full", warm)]
        runs.append((f"round {round_number + 1}'s refresh", refreshed))

    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM enablement_usageevent")
        events = c.fetchone()[0]
    hand, cold, warm, refresh = min(hands), min(colds), min(warms), min(refreshes)
    full = min(warms + fulls)
    print()
    print(f"analytics on PostgreSQL: {Deal.objects.count():,} deals, {events:,} usage events")
    print(f"  generated in {generated:.0f} s; fastest of {ROUNDS} rounds, every sample in brackets")
    listed = lambda samples: ", ".join(f"{s:.2f}" for s in samples)  # noqa: E731
    print(f"  hand-written SQL, same counts            : {hand:6.2f} s ({listed(hands)})")
    print(
        f"  full recompute, (nearly) empty statistics: {cold:6.2f} s = {cold / hand:.2f}x ({listed(colds)})"
    )
    print(
        f"  full recompute, statistics of a big run  : {warm:6.2f} s = {warm / hand:.2f}x ({listed(warms)})"
    )
    print(
        f"  refresh after {NEW_EVENTS:,} new usage events  : {refresh:6.2f} s = {refresh / full:.1%} of "
        f"the fastest full recompute of the same data, {full:.2f} s ({listed(refreshes)}; "
        f"full after each: {listed(fulls)})"
    )
    for name, run in runs:
        places = 3 if run.mode == "refresh" else 2
        steps = ", ".join(
            f"{s['step']} {s['seconds']:.{places}f} s"
            + (f" ({s['moved']} pairs by difference)" if "moved" in s else "")
            for s in run.steps
        )
        print(f"  steps of {name} run ({run.seconds:.{places}f} s in all): {steps}")
    met = max(cold, warm) <= 1.5 * hand
    print(f"  targets: full ≤ 1.5x ({'met' if met else 'NOT met'}), ", end="")
    print(f"refresh ≤ 5% ({'met' if refresh <= 0.05 * full else 'NOT met'})")
    # Regression bounds well above the figures measured (docs/benchmarks.md), so a shared machine does
    # not fail the run; the targets are printed above.
    assert cold <= 4 * hand and warm <= 4 * hand
    assert refresh <= 0.15 * full
