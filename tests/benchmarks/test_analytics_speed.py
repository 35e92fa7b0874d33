"""Benchmark: the full analytics recompute on 100,000 deals and 1,000,000 usage events (PostgreSQL),
against one hand-written SQL query that computes the same exposed and unexposed counts.

The data are generated inside PostgreSQL (generate_series), so the figures measure the analytics
and nothing else. Run with `DATABASE_URL=postgres://… make bench` (.ci/run does).
"""

from __future__ import annotations

import time

import pytest
from django.db import connection

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import AssetStageMetric
from enablement.models import Deal
from enablement.services import deals_state_recompute
from tests.factories import AssetFactory, UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres, pytest.mark.django_db]
DEALS, EVENTS, ASSETS, REPS = 100_000, 1_000_000, 60, 12

# The baseline: exposed and unexposed counts per (asset, stage) straight from history and usage.
HAND_WRITTEN = """
WITH firsts AS (
    SELECT sc.deal_id, sc.stage_id, s."order" AS stage_order, MIN(sc.entered_at) AS entered_at
    FROM enablement_stagechange sc JOIN assets_funnelstage s ON s.id = sc.stage_id
    WHERE s.outcome = 'open' GROUP BY sc.deal_id, sc.stage_id, s."order"
), ends AS (
    SELECT f.*,
      (SELECT MIN(l.entered_at) FROM enablement_stagechange l JOIN assets_funnelstage ls ON ls.id = l.stage_id
        WHERE l.deal_id = f.deal_id AND l.entered_at > f.entered_at AND ls.outcome <> 'lost'
          AND ls."order" > f.stage_order) AS advanced_at,
      (SELECT MIN(l.entered_at) FROM enablement_stagechange l JOIN assets_funnelstage ls ON ls.id = l.stage_id
        WHERE l.deal_id = f.deal_id AND l.entered_at > f.entered_at AND ls.outcome = 'lost') AS lost_at
    FROM firsts f
), entries AS (
    SELECT deal_id, stage_id, entered_at,
      CASE WHEN lost_at IS NOT NULL AND (advanced_at IS NULL OR lost_at < advanced_at) THEN 'lost'
           WHEN advanced_at IS NOT NULL THEN 'advanced' ELSE 'open' END AS outcome,
      CASE WHEN lost_at IS NOT NULL AND (advanced_at IS NULL OR lost_at < advanced_at) THEN lost_at
           ELSE advanced_at END AS resolved_at
    FROM ends
), exposed AS (
    SELECT DISTINCT u.asset_id, e.deal_id, e.stage_id, e.outcome
    FROM enablement_usageevent u JOIN entries e ON e.deal_id = u.deal_id
    WHERE u.occurred_at >= e.entered_at AND (e.resolved_at IS NULL OR u.occurred_at < e.resolved_at)
), totals AS (
    SELECT stage_id, COUNT(*) FILTER (WHERE outcome = 'advanced') AS advanced,
           COUNT(*) FILTER (WHERE outcome = 'lost') AS lost FROM entries GROUP BY stage_id
)
SELECT x.asset_id, x.stage_id,
       COUNT(*) FILTER (WHERE x.outcome = 'advanced') AS exposed_advanced,
       COUNT(*) FILTER (WHERE x.outcome = 'lost') AS exposed_lost,
       MAX(t.advanced) - COUNT(*) FILTER (WHERE x.outcome = 'advanced') AS unexposed_advanced,
       MAX(t.lost) - COUNT(*) FILTER (WHERE x.outcome = 'lost') AS unexposed_lost
FROM exposed x JOIN totals t ON t.stage_id = x.stage_id
GROUP BY x.asset_id, x.stage_id
"""


def generate() -> None:
    reps = [UserFactory(username=f"bench-rep-{n}").pk for n in range(REPS)]
    assets = [AssetFactory(slug=f"bench-{n}", title=f"Bench asset {n}").pk for n in range(ASSETS)]
    open_stages = list(FunnelStage.objects.filter(outcome="open").values_list("pk", flat=True))
    won = FunnelStage.objects.get(outcome="won").pk
    lost = FunnelStage.objects.get(outcome="lost").pk
    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO enablement_deal (source, external_id, name, owner_id, amount, currency,
                                         created_at, updated_at)
            SELECT 'native', 'B' || g, 'Bench deal ' || g, (%s::bigint[])[1 + g %% %s],
                   1000 + g %% 50000, 'USD', TIMESTAMPTZ '2024-01-01' + (g %% 600) * INTERVAL '1 day', now()
            FROM generate_series(1, %s) g""",
            [reps, REPS, DEALS],
        )
        # Each deal walks 1 to 6 open stages a week apart, then most are won or lost.
        c.execute(
            """
            INSERT INTO enablement_stagechange (deal_id, stage_id, entered_at, external_id, recorded_at)
            SELECT d.id, (%s::bigint[])[s.i], d.created_at + (s.i - 1) * INTERVAL '7 days', 'b' || s.i, now()
            FROM enablement_deal d JOIN generate_series(1, 6) s(i) ON s.i <= 1 + (d.id * 7919) %% 6""",
            [open_stages],
        )
        c.execute(
            """
            INSERT INTO enablement_stagechange (deal_id, stage_id, entered_at, external_id, recorded_at)
            SELECT d.id, CASE WHEN (d.id * 31) %% 3 = 0 THEN %s ELSE %s END,
                   d.created_at + (2 + (d.id * 7919) %% 6) * INTERVAL '7 days', 'end', now()
            FROM enablement_deal d WHERE d.id %% 5 <> 0""",
            [won, lost],
        )
        c.execute(
            """
            INSERT INTO enablement_usageevent (event_id, asset_id, deal_id, rep_id, action, occurred_at,
                                               source, recorded_at)
            SELECT 'e' || g, (%s::bigint[])[1 + (g * 13) %% %s], d.id, d.owner_id, 'viewed',
                   d.created_at + ((g * 17) %% 40) * INTERVAL '1 day', 'import', now()
            FROM generate_series(1, %s) g
            JOIN enablement_deal d ON d.id = (SELECT MIN(id) FROM enablement_deal) + (g * 7) %% %s""",
            [assets, ASSETS, EVENTS, DEALS],
        )
        c.execute("ANALYZE")
    deals_state_recompute(Deal.objects.all())


def test_full_recompute_time_against_one_hand_written_query():
    started = time.perf_counter()
    generate()
    generated = time.perf_counter() - started
    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM enablement_usageevent")
        events = c.fetchone()[0]
        started = time.perf_counter()
        c.execute(HAND_WRITTEN)
        baseline_rows = c.fetchall()
        baseline = time.perf_counter() - started
    started = time.perf_counter()
    run = analytics_compute()
    engine = time.perf_counter() - started

    stored = {
        (m.asset_id, m.stage_id): (m.exposed_advanced, m.exposed_lost, m.unexposed_advanced, m.unexposed_lost)
        for m in AssetStageMetric.objects.filter(run=run)
    }
    expected = {(a, s): (ea, el, ua, ul) for a, s, ea, el, ua, ul in baseline_rows}
    assert stored == expected  # the same counts, so the comparison is fair
    print()
    print(
        f"analytics on PostgreSQL: {Deal.objects.count():,} deals, {events:,} usage events "
        f"(generated in {generated:.1f} s)"
    )
    print(f"  hand-written SQL, exposed/unexposed counts only : {baseline:7.2f} s")
    print(f"  full recompute (counts, medians, statistics, stored): {engine:7.2f} s")
    print(f"  ratio full recompute / hand-written query        : {engine / baseline:7.2f}x")
