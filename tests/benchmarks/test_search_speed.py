"""Benchmark: the catalogue search over 100,000 assets (PostgreSQL), against the hand-written query
for the same words, timed in the same run.

The catalogue is generated inside PostgreSQL (generate_series): titles from a dozen subjects and
eight industries, four summary words from forty, 30% with a file's text of 400 words, a rare word
in 25 titles, every asset at two funnel stages and for two buyer roles, and a stored use count.
For each kind of search (a common word, a rare word, a typo, most used with and without words) the
search (`asset_search`: matches, count, facets, page, snippets) and the hand-written query (the
first page's ids, ranked the same way) are each run 15 times in turn; medians and 95th percentiles
are printed, with their ratio. `SEARCH_BENCH_ASSETS` scales the catalogue down for development.
Run with `DATABASE_URL=postgres://… make bench`.
"""

from __future__ import annotations

import os
import statistics
import time

import pytest
from django.db import connection

from assets.search import TYPO_SIMILARITY, SearchParams, asset_search
from tests.factories import UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres, pytest.mark.django_db]
ASSETS = int(os.environ.get("SEARCH_BENCH_ASSETS", "100000"))
SAMPLES = 15

GENERATE = """
WITH vocab AS (SELECT
  ARRAY['renewal','procurement','compliance','dashboard','migration','savings','workflow','champion',
        'rollout','benchmark','audit','throughput','pipeline','forecast','quota','territory','onboarding',
        'security','integration','analytics','latency','warehouse','inventory','shipping','payroll',
        'invoice','clinic','patient','branch','ledger','factory','supplier','contract','pricing',
        'discount','license','uptime','backup','recovery','training'] AS v,
  ARRAY['ROI calculator','Security FAQ','Pricing playbook','Onboarding guide','Customer story',
        'Integration overview','Competitive battlecard','Implementation plan','Analyst report',
        'Product demo','Case study','Whitepaper'] AS s,
  ARRAY['logistics','healthcare','retail','banking','manufacturing','insurance','education','energy'] AS i,
  ARRAY['case_study','deck','one_pager','roi_calculator','whitepaper','battlecard','faq','video'] AS k)
INSERT INTO assets_asset (title, slug, summary, guidance, kind, external_url, status, audience,
                          published_at, created_at, updated_at, search_document, use_count, facet_keys)
SELECT t.title, 'bench-' || g, t.summary, '', vocab.k[1 + g %% 8], 'https://media.example.com/' || g,
       CASE WHEN g %% 20 = 0 THEN 'draft' ELSE 'published' END, 'external',
       CASE WHEN g %% 20 = 0 THEN NULL ELSE now() - ((g * 37) %% 700) * interval '1 day' END, now(), now(),
       t.title || E'\\n' || t.summary || CASE WHEN g %% 10 < 3 THEN E'\\n' || t.filetext ELSE '' END,
       (g * 7919) %% 97, ''
FROM generate_series(1, %(n)s) g CROSS JOIN vocab
CROSS JOIN LATERAL (SELECT
   vocab.s[1 + g %% 12] || ' for ' || vocab.i[1 + (g / 12) %% 8] || ' '
     || CASE WHEN g %% (%(n)s / 25) = 17 THEN 'zanzibar ' ELSE '' END || g AS title,
   vocab.v[1 + (g * 3) %% 40] || ' ' || vocab.v[1 + (g * 7) %% 40] || ' ' || vocab.v[1 + (g * 11) %% 40]
     || ' ' || vocab.v[1 + (g * 13) %% 40] || ' for ' || vocab.i[1 + g %% 8] || ' teams.' AS summary,
   (SELECT string_agg(vocab.v[1 + ((g * 31 + w * 17) %% 40)], ' ') FROM generate_series(1, 400) w) AS filetext
) t
"""
# The vector as asset_search_refresh weighs it: title A, the rest (summary and file text) below it.
VECTORS = """
UPDATE assets_asset SET search_vector =
  setweight(to_tsvector('english', title), 'A')
  || setweight(to_tsvector('english', substr(search_document, length(title) + 2)), 'B')
WHERE slug LIKE 'bench-%'
"""
LINKS = """
INSERT INTO assets_asset_{table} (asset_id, {column})
SELECT a.id, x.id FROM assets_asset a
JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM assets_{model} {where}) x
  ON x.rn IN (1 + a.id % 5, 1 + (a.id + {step}) % 5)
WHERE a.slug LIKE 'bench-%'
"""
# The facet keys as asset_search_refresh writes them (roles, then stages; no tags here).
FACET_KEYS = """
UPDATE assets_asset a SET facet_keys = concat_ws(' ',
  (SELECT string_agg('r' || buyerrole_id, ' ' ORDER BY buyerrole_id) FROM assets_asset_buyer_roles
   WHERE asset_id = a.id),
  (SELECT string_agg('s' || funnelstage_id, ' ' ORDER BY funnelstage_id) FROM assets_asset_stages
   WHERE asset_id = a.id))
WHERE a.slug LIKE 'bench-%'
"""
HAND_WORDS = """
SELECT id FROM assets_asset
WHERE status = 'published' AND (search_vector @@ websearch_to_tsquery('english', %(q)s) OR %(q)s <%% title)
ORDER BY ts_rank(search_vector, websearch_to_tsquery('english', %(q)s)) DESC,
         word_similarity(%(q)s, title) DESC, title
LIMIT 20
"""
HAND_MOST_USED = (
    "SELECT id FROM assets_asset WHERE status = 'published' ORDER BY use_count DESC, title LIMIT 20"
)
HAND_MOST_USED_WORDS = """
SELECT id FROM assets_asset
WHERE status = 'published' AND (search_vector @@ websearch_to_tsquery('english', %(q)s) OR %(q)s <%% title)
ORDER BY use_count DESC, title LIMIT 20
"""
KINDS = [
    ("common word", "pipeline", "", HAND_WORDS),
    ("rare word", "zanzibar", "", HAND_WORDS),
    ("typo", "calculater", "", HAND_WORDS),
    ("most used", "", "used", HAND_MOST_USED),
    ("most used, a word", "pipeline", "used", HAND_MOST_USED_WORDS),
]


def catalogue() -> float:
    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute(GENERATE, {"n": ASSETS})
        c.execute(VECTORS)
        c.execute(
            LINKS.format(
                table="stages",
                column="funnelstage_id",
                model="funnelstage",
                where="WHERE outcome = 'open'",
                step=2,
            )
        )
        c.execute(
            LINKS.format(table="buyer_roles", column="buyerrole_id", model="buyerrole", where="", step=1)
        )
        for table in ("assets_asset", "assets_asset_stages", "assets_asset_buyer_roles"):
            c.execute(f"ANALYZE {table}")
        # New rows wait in a GIN index's pending list until a vacuum merges them, which a test's
        # transaction never sees; merged here, as autovacuum would have done in production.
        for index in ("assets_asset_search_vector_gin", "assets_asset_title_trgm"):
            c.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
    return time.perf_counter() - started


def hand_written(sql: str, q: str) -> None:
    with connection.cursor() as c:
        c.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(TYPO_SIMILARITY)])
        c.execute(sql, {"q": q})
        c.fetchall()


def milliseconds(action, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, round(0.95 * len(samples)) - 1)]


def test_search_against_the_hand_written_query_at_100000_assets():
    rep = UserFactory(username="bench-search-rep", role="Reps")
    generated = catalogue()
    print()
    print(f"catalogue search on PostgreSQL: {ASSETS:,} assets, generated in {generated:.0f} s")
    print(f"  {'kind':<20} {'hits':>7}  search median / p95       hand-written median / p95    ratio")
    medians = {}
    for label, q, sort, hand_sql in KINDS:
        params = SearchParams(q=q, sort=sort)
        total = asset_search(user=rep, params=params, log=False).total  # and warms the caches
        hand_written(hand_sql, q)
        search, hand = [], []
        for _ in range(3):  # interleaved, so a busy moment on a shared machine falls on both
            search += milliseconds(lambda p=params: asset_search(user=rep, params=p, log=False), SAMPLES // 3)
            hand += milliseconds(lambda s=hand_sql, w=q: hand_written(s, w), SAMPLES // 3)
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
