"""The data of the benchmarks at a real company's size, generated inside PostgreSQL (generate_series):
deals with their stage history and usage (the analytics benchmark's and the pages'), and a catalogue
of assets (the search benchmark's and the pages'); and the timing helpers they share."""

from __future__ import annotations

import time

from django.db import connection

from assets.models import FunnelStage
from assets.search import TYPO_SIMILARITY
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal

LONG_AGO = "TIMESTAMPTZ '2025-09-01'"


def deals_generate(first: int, count: int, events: int, reps: list[int], assets: list[int]) -> None:
    """Deals B`first`… walk 1 to 6 open stages a week apart, four in five then won or lost a week or so
    later; `events` uses of random assets fall on random deals of the batch in their first 50 days."""
    open_stages = list(FunnelStage.objects.filter(outcome="open").values_list("pk", flat=True))
    won = FunnelStage.objects.get(outcome="won").pk
    lost = FunnelStage.objects.get(outcome="lost").pk
    last = first + count - 1
    batch = f"d.external_id IN (SELECT 'B' || g FROM generate_series({first}, {last}) g)"
    with connection.cursor() as c:
        c.execute("SELECT setseed(0.42)")
        c.execute(
            f"""
            INSERT INTO enablement_deal (source, external_id, name, owner_id, amount, currency,
                                         created_at, updated_at)
            SELECT 'native', 'B' || g, 'Bench deal ' || g, (%s::bigint[])[1 + g %% %s], 1000 + g %% 50000,
                   'USD', TIMESTAMPTZ '2024-01-01' + (g %% 600) * INTERVAL '1 day', {LONG_AGO}
            FROM generate_series(%s, %s) g""",
            [reps, len(reps), first, last],
        )
        c.execute(
            f"""
            INSERT INTO enablement_stagechange (deal_id, stage_id, entered_at, external_id, recorded_at)
            SELECT d.id, (%s::bigint[])[s.i], d.created_at + (s.i - 1) * INTERVAL '7 days', 'b' || s.i,
                   {LONG_AGO}
            FROM enablement_deal d JOIN generate_series(1, 6) s(i) ON s.i <= 1 + (d.id * 7919) %% 6
            WHERE {batch}""",
            [open_stages],
        )
        c.execute(
            f"""
            INSERT INTO enablement_stagechange (deal_id, stage_id, entered_at, external_id, recorded_at)
            SELECT d.id, CASE WHEN (d.id * 31) %% 3 = 0 THEN %s ELSE %s END,
                   d.created_at + (1 + (d.id * 7919) %% 6) * INTERVAL '7 days'
                   + (d.id %% 5) * INTERVAL '1 day',
                   'end', {LONG_AGO}
            FROM enablement_deal d WHERE d.id %% 5 <> 0 AND {batch}""",
            [won, lost],
        )
        c.execute(f"SELECT MIN(d.id) FROM enablement_deal d WHERE {batch}")
        low = c.fetchone()[0]
        c.execute(
            f"""
            INSERT INTO enablement_usageevent (event_id, asset_id, deal_id, rep_id, action, occurred_at,
                                               source, recorded_at)
            SELECT 'e' || %s || '-' || g, (%s::bigint[])[1 + floor(random() * %s)::int], d.id, d.owner_id,
                   'viewed', d.created_at + random() * INTERVAL '50 days', 'import', {LONG_AGO}
            FROM (SELECT g, %s + floor(random() * %s)::bigint AS deal_id FROM generate_series(1, %s) g) e
            JOIN enablement_deal d ON d.id = e.deal_id""",
            [first, assets, len(assets), low, count, events],
        )
        c.execute("ANALYZE")
    deals_state_recompute(Deal.objects.filter(external_id__in=[f"B{g}" for g in range(first, first + count)]))
    with connection.cursor() as c:
        # As autovacuum leaves a table some time after it was written (here it would come at a random
        # moment of the measurements): visibility map and statistics up to date.
        c.execute("VACUUM ANALYZE")


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


def catalogue_generate(assets: int) -> float:
    """`assets` published and draft assets as the product stores them (vectors, stages, roles, facet
    keys, a use count); returns the seconds it took."""
    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute(GENERATE, {"n": assets})
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
        c.execute(FACET_KEYS)
        for table in ("assets_asset", "assets_asset_stages", "assets_asset_buyer_roles"):
            c.execute(f"ANALYZE {table}")
        # New rows wait in a GIN index's pending list until a vacuum merges them, which a test's
        # transaction never sees; merged here, as autovacuum would have done in production.
        for index in ("assets_asset_search_vector_gin", "assets_asset_title_trgm"):
            c.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
    return time.perf_counter() - started


# The hand-written search: what the catalogue search computes (the first page's ids in its order, the
# number of matches, and the facets: the matches per asset type and per facet key), in one statement
# over the matching rows taken once.
HAND_SEARCH = """
WITH m AS MATERIALIZED (
    SELECT id, kind, facet_keys, use_count, title, {rank} AS rank, {similarity} AS similarity
    FROM assets_asset WHERE status = 'published' {words}
)
SELECT (SELECT COUNT(*) FROM m),
       (SELECT array_agg(id) FROM (SELECT id FROM m ORDER BY {order} LIMIT 20) p),
       (SELECT array_agg(kind || ' ' || n) FROM (SELECT kind, COUNT(*) n FROM m GROUP BY kind) k),
       (SELECT array_agg(key || ' ' || n) FROM (
           SELECT key, COUNT(*) n FROM m, unnest(string_to_array(m.facet_keys, ' ')) key GROUP BY key) f)
"""
WORDS = {
    "rank": "ts_rank(search_vector, websearch_to_tsquery('english', %(q)s))",
    "similarity": "word_similarity(%(q)s, title)",
    "words": "AND (search_vector @@ websearch_to_tsquery('english', %(q)s) OR %(q)s <%% title)",
}
NO_WORDS = {"rank": "0", "similarity": "0", "words": ""}
BEST_MATCH, MOST_USED = "rank DESC, similarity DESC, title", "use_count DESC, title"


def hand_search_sql(*, words: bool, most_used: bool) -> str:
    return HAND_SEARCH.format(**(WORDS if words else NO_WORDS), order=MOST_USED if most_used else BEST_MATCH)


def hand_search(sql: str, q: str) -> None:
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
