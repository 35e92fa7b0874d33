"""Benchmark: the analytics pages at 100,000 deals and 1,000,000 usage events (PostgreSQL), each page's
server time in-process (median and p95 of 11 requests after one to warm up), against the way the page
read its rows before (docs/analytics-pages.md), timed in the same run on the same data:

- the funnel: the figures stored by the run, against computing them over every entry (what a run
  made before they were stored gets);
- stalled deals: the page of 50 from the grouped history, against the old first 200 with a subquery
  per open deal; its CSV streamed, against building it from that query;
- retire: the unused assets from the last uses stored by the run and the events since, against the
  old join of every event to the assets.

The data are the analytics benchmark's (`scale_data.deals_generate`); `ANALYTICS_BENCH_DEALS` scales
them down.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from enablement.analytics import stalled
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import StageMetric
from enablement.analytics.retire import UnusedRows
from tests.benchmarks.scale_data import deals_generate
from tests.benchmarks.test_analytics_speed import ASSETS, DEALS, EVENTS, REPS
from tests.enablement.analytics.old_lists import old_stalled, old_stalled_csv, old_unused
from tests.factories import AssetFactory, UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SAMPLES = 11


def sampled(action: Callable[[], object]) -> tuple[float, float]:
    """Median and p95 (nearest rank) of `action`'s milliseconds, after one call to warm up."""
    action()
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[-(-95 * SAMPLES // 100) - 1]


def page(client, name: str, **params) -> Callable[[], int]:
    def get() -> int:
        response = client.get(reverse(name), params)
        assert response.status_code == 200
        if response.streaming:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    return get


def explained(statement: str, params: list) -> str:
    with connection.cursor() as c:
        c.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params)
        return "\n".join(f"      {row[0]}" for row in c.fetchall())


def test_analytics_pages_against_the_way_they_read_before(client, marketer):
    reps = [UserFactory(username=f"bench-rep-{n}").pk for n in range(REPS)]
    assets = [AssetFactory(slug=f"bench-{n}", title=f"Bench asset {n}").pk for n in range(ASSETS)]
    AssetFactory._meta.model.objects.update(published_at="2023-06-01T00:00:00Z")
    deals_generate(1, DEALS, EVENTS, reps, assets)
    run = analytics_compute()
    client.force_login(marketer)
    rows = []

    stored = sampled(page(client, "analytics-funnel"))
    metrics = list(StageMetric.objects.filter(run=run).values_list("pk", "by_month", "by_quarter"))
    StageMetric.objects.filter(run=run).update(by_month=None, by_quarter=None)
    computed = sampled(page(client, "analytics-funnel"))
    for pk, by_month, by_quarter in metrics:
        StageMetric.objects.filter(pk=pk).update(by_month=by_month, by_quarter=by_quarter)
    rows.append(("funnel", stored, computed, "figures computed over every entry"))

    limits = stalled.thresholds(run)

    def stalled_page() -> int:  # the rows the page shows, as the view reads them
        now = timezone.now()
        return len(stalled.deals_of(stalled.stalled_rows(limits, now)[:50], limits, now))

    rows.append(("stalled deals", sampled(page(client, "analytics-stalled")), None, ""))
    before = sampled(lambda: len(list(old_stalled(run)[:200])))
    rows.append(
        ("  its rows, page 1", sampled(stalled_page), before, "the old 200, a subquery per open deal")
    )
    last = (stalled.stalled_rows(limits, timezone.now()).count() - 1) // 50 + 1
    rows.append(("  last page", sampled(page(client, "analytics-stalled", page=last)), None, ""))
    streamed = sampled(page(client, "analytics-stalled", format="csv"))
    rows.append(("stalled deals CSV", streamed, sampled(lambda: old_stalled_csv(run)), "the old CSV"))
    rows.append(("retire", sampled(page(client, "analytics-retire")), None, ""))
    unused = sampled(lambda: UnusedRows(run)[0:50])
    rows.append(("  unused, page 1", unused, sampled(old_unused), "the old query, every row"))
    rows.append(("coverage", sampled(page(client, "analytics-coverage")), None, ""))

    print(f"\nanalytics pages on PostgreSQL, {DEALS:,} deals, {EVENTS:,} usage events, {ASSETS} assets")
    print(f"  ms, median (p95) of {SAMPLES} in-process requests")
    for name, (median, p95), base, what in rows:
        against = f"   before: {base[0]:7.1f} ({base[1]:.1f}), {what}" if base else ""
        print(f"  {name:26}: {median:7.1f} ({p95:.1f}){against}")
    grouped = stalled.stalled_rows(limits, timezone.now())[:50].query.sql_with_params()
    print("  EXPLAIN ANALYZE, stalled deals' grouped rows (page 1):")
    print(explained(*grouped))
    unused = UnusedRows(run)
    print("  EXPLAIN ANALYZE, unused assets (page 1):")
    print(explained(f"{unused.statement} LIMIT 50", unused.params))
    assert stored[0] <= computed[0] * 1.5  # a regression bound; the figures are in docs/benchmarks.md
