"""usage_record_many's rules for a whole table of events at once (PostgreSQL): the set-based writer of
usage, which the service uses for a big batch and an import's staging for a whole file.

The events are judged in one statement against what is recorded under their event_id and against their
first mention in the table (USAGE_VERDICTS), then the new ones go in with one `INSERT … SELECT … ON
CONFLICT (event_id) DO NOTHING`, each taking its deal's stage at `occurred_at` from the history in the
same statement. The service's row-by-row dialect of the same rules is enablement.usage.services; the
two are held equal by tests/enablement/test_usage_one_rule.py and test_usage_two_paths.py. Why two
dialects: docs/decisions/two-sql-dialects.md.

A batch of 1,000 events sent as one INSERT … VALUES carries 9,000 parameters, which the driver splices
into the statement's text one by one; COPY streams the rows as they are.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import connection

from enablement.choices import UsageSource
from enablement.deals.history import stage_at_sql
from enablement.deals.models import Deal
from enablement.usage.models import UsageEvent

COPY_FROM = 50  # events; below this the service's own INSERT … VALUES is as quick
STAGING = "usage_incoming"
COLUMNS = ["event_id", "asset_id", "asset_version_id", "deal_id", "rep_id", "action", "occurred_at", "source"]
USAGE = UsageEvent._meta.db_table

# Each event of `{rows}` judged against what is recorded under its event_id and its first mention in
# `{rows}`. `{rows}` is a query giving: line (the order the events were given in), event_id, deal_id
# (NULL: no such deal), deal_label, closed_at (its deal's), asset_id, asset_version_id, rep_id, action,
# occurred_at, stated (the sender gave occurred_at: otherwise it is now, and not compared on a
# re-send), refused (the service refused it on its own: an unknown action, a time without a zone) and
# source. Verdicts: new, same, recorded differently, differs from earlier, closed, no deal, refused, and
# as first (a repeat of a refused event, which shares its fate). `{recorded}` joins each event to what
# is recorded under its event_id as `u`: RECORDED_JOINED for a whole file, RECORDED_PROBED for a batch.
USAGE_VERDICTS = """
    SELECT v.line, v.event_id, v.deal_id, v.asset_id, v.asset_version_id, v.rep_id, v.action, v.occurred_at,
           v.source, v.deal_label, v.closed_at, v.first_stated, v.differs, CASE
        WHEN v.deal_id IS NULL THEN 'no deal'
        WHEN v.nth = 1 AND v.refused THEN 'refused'
        WHEN v.stored AND NOT v.first_refused THEN
            CASE WHEN v.differs = '' THEN 'same' ELSE 'recorded differently' END
        WHEN v.nth > 1 THEN CASE  -- the first mention is recorded by now, unless it was refused
            WHEN v.differs <> '' AND (v.first_closed OR v.first_refused) THEN 'differs from earlier'
            WHEN v.differs <> '' THEN 'recorded differently'
            WHEN v.first_refused THEN 'as first'
            WHEN v.first_closed THEN 'closed'
            ELSE 'same' END
        WHEN v.closed_at IS NOT NULL AND v.occurred_at >= v.closed_at THEN 'closed'
        ELSE 'new' END AS verdict
    FROM (
        SELECT w.*, CONCAT_WS(', ',
                   CASE WHEN w.ref_deal IS DISTINCT FROM w.deal_id THEN 'deal_id' END,
                   CASE WHEN w.ref_asset IS DISTINCT FROM w.asset_id THEN 'asset' END,
                   CASE WHEN w.ref_rep IS DISTINCT FROM w.rep_id THEN 'rep' END,
                   CASE WHEN w.ref_action IS DISTINCT FROM w.action THEN 'action' END,
                   CASE WHEN w.stated AND w.ref_at IS DISTINCT FROM w.occurred_at THEN 'occurred_at' END)
                   AS differs
        FROM (
            SELECT x.*, u.id IS NOT NULL AS stored,
                   -- what a mention is compared with: the recorded event, unless the first mention
                   -- was refused (then that mention, as the service compares it)
                   CASE WHEN u.id IS NOT NULL AND NOT FIRST_VALUE(x.refused) OVER w THEN u.deal_id
                        ELSE FIRST_VALUE(x.deal_id) OVER w END AS ref_deal,
                   CASE WHEN u.id IS NOT NULL AND NOT FIRST_VALUE(x.refused) OVER w THEN u.asset_id
                        ELSE FIRST_VALUE(x.asset_id) OVER w END AS ref_asset,
                   CASE WHEN u.id IS NOT NULL AND NOT FIRST_VALUE(x.refused) OVER w THEN u.rep_id
                        ELSE FIRST_VALUE(x.rep_id) OVER w END AS ref_rep,
                   CASE WHEN u.id IS NOT NULL AND NOT FIRST_VALUE(x.refused) OVER w THEN u.action
                        ELSE FIRST_VALUE(x.action) OVER w END AS ref_action,
                   CASE WHEN u.id IS NOT NULL AND NOT FIRST_VALUE(x.refused) OVER w THEN u.occurred_at
                        ELSE FIRST_VALUE(x.occurred_at) OVER w END AS ref_at,
                   FIRST_VALUE(x.closed_at IS NOT NULL AND x.occurred_at >= x.closed_at) OVER w
                       AS first_closed,
                   FIRST_VALUE(x.refused) OVER w AS first_refused,
                   FIRST_VALUE(x.stated) OVER w AS first_stated,
                   ROW_NUMBER() OVER w AS nth
            FROM ({rows}) x
            {recorded}
            WINDOW w AS (PARTITION BY x.event_id, x.deal_id IS NULL ORDER BY x.line)
        ) w
    ) v
"""

# A whole file's events meet the usage table in one join (PostgreSQL hashes or merges them).
RECORDED_JOINED = f"LEFT JOIN {USAGE} u ON u.event_id = x.event_id"
# A batch's few events look theirs up one by one in the event_id index: a join left to the planner read
# the whole usage table for each batch whenever its statistics were older than its rows
# (docs/benchmarks.md). LIMIT keeps the subquery from being flattened into a join.
RECORDED_PROBED = (
    "LEFT JOIN LATERAL (SELECT r.id, r.deal_id, r.asset_id, r.rep_id, r.action, r.occurred_at "
    f"FROM {USAGE} r WHERE r.event_id = x.event_id LIMIT 1) u ON true"
)


def usage_judge(rows: str, params: list | tuple, judged: str) -> str:
    """A temporary table `judged` of the events `rows` selects with their verdicts (USAGE_VERDICTS),
    dropped at commit; returns its name."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {judged}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {judged} ON COMMIT DROP AS "
            + USAGE_VERDICTS.format(rows=rows, recorded=RECORDED_JOINED),
            params,
        )
        cursor.execute(f"ANALYZE {judged}")
    return judged


def _insert_new(judged: str) -> str:
    """The INSERT of the events `judged` (a table or a CTE of USAGE_VERDICTS) judged new, each with its
    deal's stage at occurred_at. Rows in event_id order, so concurrent batches take the unique index's
    locks in the same order and cannot deadlock (byte order, as Python sorts the row-by-row path's
    batches, whatever the database's collation); an event recorded meanwhile by another client is
    left as it is (ON CONFLICT DO NOTHING)."""
    return f"""
        INSERT INTO {USAGE} ({", ".join(COLUMNS)}, recorded_at, stage_id)
        SELECT j.event_id, j.asset_id, j.asset_version_id, j.deal_id, j.rep_id, j.action, j.occurred_at,
               j.source, %(now)s, {stage_at_sql("j.deal_id", "j.occurred_at")}
        FROM {judged} j WHERE j.verdict = 'new'
        ORDER BY j.event_id COLLATE "C"
        ON CONFLICT (event_id) DO NOTHING
    """


def usage_insert_judged(judged: str, now: datetime) -> Counter:
    """Insert the events of the table `judged` (usage_judge's) judged new; returns how many went in per
    (asset_id, stage_id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH created AS ({_insert_new(judged)} RETURNING asset_id, stage_id) "
            "SELECT asset_id, stage_id, COUNT(*) FROM created GROUP BY asset_id, stage_id",
            {"now": now},
        )
        return Counter({(asset_id, stage_id): n for asset_id, stage_id, n in cursor.fetchall()})


def usage_record_judged(rows: str, now: datetime) -> list[tuple]:
    """Judge the events `rows` selects and insert the new ones, in one statement (no table in between:
    an API batch is small, and a table's creation, statistics and drop cost more than its judging);
    per event in line order: line, verdict, deal_label, closed_at, first_stated, differs, and the
    asset_id and stage_id it was created with (both None when it was not created)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH judged AS MATERIALIZED ({USAGE_VERDICTS.format(rows=rows, recorded=RECORDED_PROBED)}),
                 created AS ({_insert_new("judged")} RETURNING event_id, asset_id, stage_id)
            SELECT j.line, j.verdict, j.deal_label, j.closed_at, j.first_stated, j.differs, c.asset_id,
                   c.stage_id
            FROM judged j LEFT JOIN created c ON c.event_id = j.event_id AND j.verdict = 'new'
            ORDER BY j.line
            """,
            {"now": now},
        )
        return cursor.fetchall()


def usage_values(event: dict, now: datetime) -> tuple:
    """An event's values in COLUMNS order (no occurred_at: now; no source: the API)."""
    return (
        event["event_id"],
        event["asset_id"],
        event.get("asset_version_id"),
        event["deal_id"],
        event.get("rep_id"),
        event["action"],
        event.get("occurred_at") or now,
        event.get("source", UsageSource.API),
    )


def usage_stage_batch(events: list[dict], refused: set[int], now: datetime) -> list[tuple]:
    """The service's batch recorded set-based: COPY into a staging table (kept for the connection's
    life, emptied at each commit and before each use), then usage_record_judged. `refused`: the
    positions of the events the service refused on their own."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (line integer, event_id text, asset_id bigint, "
            "asset_version_id bigint, deal_id bigint, rep_id bigint, action text, occurred_at timestamptz, "
            "source text, stated boolean, refused boolean) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"DELETE FROM {STAGING}")
        # Each event's stage lookup makes the statement's estimated cost pass JIT's thresholds:
        # compiling costs more than it saves for a statement run once (docs/benchmarks.md).
        cursor.execute("SET LOCAL jit = off")
        with cursor.cursor.copy(
            f"COPY {STAGING} (line, {', '.join(COLUMNS)}, stated, refused) FROM STDIN"
        ) as copy:
            for line, e in enumerate(events):
                stated = e.get("occurred_at") is not None
                copy.write_row((line, *usage_values(e, now), stated, line in refused))
    rows = (  # each deal looked up in its index, as each recorded event is (RECORDED_PROBED)
        f"SELECT s.*, d.external_id AS deal_label, d.closed_at FROM {STAGING} s LEFT JOIN LATERAL "
        f"(SELECT external_id, closed_at FROM {Deal._meta.db_table} WHERE id = s.deal_id LIMIT 1) d ON true"
    )
    return usage_record_judged(rows, now)
