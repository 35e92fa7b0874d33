"""Benchmark: the catalogue search over 100,000 assets (PostgreSQL), against the hand-written query
for the same words, timed in the same run.

The catalogue is generated inside PostgreSQL (generate_series): titles from a dozen subjects and
eight industries, four summary words from forty, 30% with a file's text of 400 words, a rare word
in 25 titles, every asset at two funnel stages and for two buyer roles, and a stored use count.
For each kind of search (a common word, a rare word, a typo, most used with and without words) the
search (`asset_search`: matches, count, facets, page, snippets) and the hand-written query computing
the same (the first page's ids ranked the same way, the count and the facet counts, in one statement:
tests/benchmarks/scale_data.py) are each run 15 times in turn; medians and 95th percentiles
are printed, with their ratio. `SEARCH_BENCH_ASSETS` scales the catalogue down for development.
Run with `DATABASE_URL=postgres://… make bench`.
"""

from __future__ import annotations

import os
import statistics

import pytest

from assets.search import SearchParams, asset_search
from tests.benchmarks.scale_data import catalogue_generate, hand_search, hand_search_sql, milliseconds, p95
from tests.factories import UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres, pytest.mark.django_db]
ASSETS = int(os.environ.get("SEARCH_BENCH_ASSETS", "100000"))
SAMPLES = 15

KINDS = [
    ("common word", "pipeline", ""),
    ("rare word", "zanzibar", ""),
    ("typo", "calculater", ""),
    ("most used", "", "used"),
    ("most used, a word", "pipeline", "used"),
]


def test_search_against_the_hand_written_query_at_100000_assets():
    rep = UserFactory(username="bench-search-rep", role="Reps")
    generated = catalogue_generate(ASSETS)
    print()
    print(f"catalogue search on PostgreSQL: {ASSETS:,} assets, generated in {generated:.0f} s")
    print(f"  {'kind':<20} {'hits':>7}  search median / p95       hand-written median / p95    ratio")
    medians = {}
    for label, q, sort in KINDS:
        hand_sql = hand_search_sql(words=bool(q), most_used=sort == "used")
        params = SearchParams(q=q, sort=sort)
        total = asset_search(user=rep, params=params, log=False).total  # and warms the caches
        hand_search(hand_sql, q)
        search, hand = [], []
        for _ in range(3):  # interleaved, so a busy moment on a shared machine falls on both
            search += milliseconds(lambda p=params: asset_search(user=rep, params=p, log=False), SAMPLES // 3)
            hand += milliseconds(lambda s=hand_sql, w=q: hand_search(s, w), SAMPLES // 3)
        s_med, h_med = statistics.median(search), statistics.median(hand)
        medians[label] = s_med
        print(
            f"  {label:<20} {total:>7}  {s_med:8.1f} / {p95(search):8.1f} ms    "
            f"{h_med:8.1f} / {p95(hand):8.1f} ms    {s_med / h_med:6.1f}x"
        )
        assert total > 0
    # A regression bound far above the figures in the README (the search before index-served matching
    # took 8.5 to 12.9 s a query at this size), so a shared machine does not fail the run.
    assert max(medians.values()) < 3000
