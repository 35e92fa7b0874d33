"""The working tables of a run: stage entries and exposures, written set-based (docs/analytics-method.md).

Entries: a deal's history in order (time, then stage `order`), numbered; each deal's first row for
an open stage is its entry, and the first later row that reaches a stage further down (not lost) or
a lost stage resolves it. One INSERT … SELECT with window functions over one sort of the history,
never a join of the history with itself or a subquery per row.

Exposures: for entries at risk at the landmark, each asset used during the stay (entered ≤ used <
resolved), flagged `in_window` when a use came before the landmark. One INSERT … SELECT … GROUP BY;
a full run on PostgreSQL makes the table anew from the same SELECT (exposures_table_made).

Both can be limited to a set of deals (the refresh) with `deals`, SQL selecting deal ids.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from datetime import datetime

from django.db import connection

from assets.choices import StageOutcome
from assets.models import FunnelStage
from enablement.analytics import sql
from enablement.analytics.models import Exposure

# One sort of the history by deal and order, latest first, windows over it, no join of the history
# with itself. The inner level numbers each deal's rows from its last (`seq`: a larger number is an
# earlier row); the outer level looks, from every row, at the rows after it (frame `f`, which starts
# at the partition's start, so its MAX accumulates instead of starting again for each row) once per
# open stage (written from the stages: a handful): the first later row that is not lost and reaches
# a stage further down than that stage. The first later lost row is the same for every stage. Over
# the whole deal (frame `w`, one aggregate per deal), each open stage's earliest row: a row is an
# entry when it is that row of its stage. What resolves it is the earlier of its stage's first
# advancing row and the first lost row, and its time is that row's (PostgreSQL: read from the deal's
# times in the same order, `times[seq]`; elsewhere one more MIN per stage over `f`).
ENTRIES_SQL = """
INSERT INTO {entry} (run_id, deal_id, stage_id, owner_id, entered_at, quarter, outcome, resolved_at,
                     days, industry, region, amount, won)
SELECT %s, r.deal_id, r.stage_id, d.owner_id, r.entered_at, {quarter},
       CASE WHEN r.aseq IS NULL AND r.lseq IS NULL THEN 'open'
            WHEN r.aseq IS NULL OR r.lseq > r.aseq THEN 'lost' ELSE 'advanced' END,
       CASE WHEN r.aseq IS NULL OR r.lseq > r.aseq THEN r.ltime ELSE r.atime END,
       CASE WHEN r.aseq IS NULL OR r.lseq > r.aseq THEN {lost_days} ELSE {advanced_days} END,
       COALESCE(a.industry, ''), COALESCE(a.region, ''), d.amount, {won}
FROM (
    SELECT x.deal_id, x.stage_id, x.entered_at, x.aseq, x.lseq, {atime} AS atime, {ltime} AS ltime
    FROM (
    SELECT h.deal_id, h.stage_id, h.entered_at, {picked}
    FROM (
        SELECT sc.id, sc.deal_id, sc.stage_id, sc.entered_at, s."order" AS ord, s.outcome,
               ROW_NUMBER() OVER (PARTITION BY sc.deal_id
                                  ORDER BY sc.entered_at DESC, s."order" DESC, sc.id DESC) AS seq
        FROM {change} sc JOIN {stage} s ON s.id = sc.stage_id
        {where}
    ) h
    WINDOW f AS (PARTITION BY h.deal_id ORDER BY h.entered_at DESC, h.ord DESC, h.id DESC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
           w AS (PARTITION BY h.deal_id ORDER BY h.entered_at DESC, h.ord DESC, h.id DESC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ) x
    WHERE x.is_first
) r
JOIN {deal} d ON d.id = r.deal_id
LEFT JOIN {account} a ON a.id = d.account_id
"""


def _stage_columns() -> str:
    """Per open stage (order o): whether the row is the stage's earliest, and the first later
    advancing row's number (and time, but on PostgreSQL); each row picks its own stage's (ids and
    orders are integers, so inlining them is safe). Rows of other stages get `is_first` NULL and are
    left out. A true/false `is_first` (not 1/0) lets the planner expect half the rows to be entries,
    where `= 1` made it expect 0.5% (and loop over the deals' index for them)."""
    advance = {"aseq": ("MAX", "h.seq")}
    if not sql.postgres():
        advance["atime"] = ("MIN", "h.entered_at")  # the earliest later row
    columns = {name: [] for name in ("is_first", *advance)}
    for stage_id, order in FunnelStage.objects.open().values_list("pk", "order"):
        stage_id, order = int(stage_id), int(order)
        columns["is_first"].append(
            f"WHEN {stage_id} THEN h.seq = MAX(CASE WHEN h.stage_id = {stage_id} THEN h.seq END) OVER w"
        )
        for name, (pick, value) in advance.items():
            columns[name].append(
                f"WHEN {stage_id} THEN "
                f"{pick}(CASE WHEN h.outcome <> 'lost' AND h.ord > {order} THEN {value} END) OVER f"
            )
    picked = [
        f"(CASE h.stage_id {' '.join(whens)} END) AS {name}" for name, whens in columns.items() if whens
    ]
    if not picked:
        # typed: PostgreSQL takes an untyped NULL of a subquery as text (`r.lseq > r.aseq` would fail)
        picked = ["CAST(NULL AS BOOLEAN) AS is_first", "CAST(NULL AS BIGINT) AS aseq"]
        picked += [] if sql.postgres() else ["NULL AS atime"]
    picked.append("MAX(CASE WHEN h.outcome = 'lost' THEN h.seq END) OVER f AS lseq")
    if sql.postgres():
        picked.append("array_agg(h.entered_at) OVER w AS times")
    else:
        picked.append("MIN(CASE WHEN h.outcome = 'lost' THEN h.entered_at END) OVER f AS ltime")
    return ", ".join(picked)


def _won(column: str) -> str:
    """Whether the deal's current stage (`column`) is a won one: the ids inlined (integers), so the
    entries need no join of the stages for it."""
    won = FunnelStage.objects.filter(outcome=StageOutcome.WON).values_list("pk", flat=True)
    ids = ", ".join(str(int(pk)) for pk in won)
    return f"COALESCE({column} IN ({ids}), FALSE)" if ids else "FALSE"


def _resolution_times() -> tuple[str, str]:
    """The times of the first later advancing row and of the first later lost row (`x`), taken
    right where the windows are read, so the deal's times never travel further (a hash or a sort
    above would hold a copy of them for every row of the deal)."""
    if sql.postgres():  # the deal's times in the window's order, latest first: `seq` is the index
        return "x.times[x.aseq]", "x.times[x.lseq]"
    return "x.atime", "x.ltime"


# The 25th percentile by nearest rank: the value at rank ceil(n / 4) = (n + 3) / 4. PostgreSQL's
# percentile_disc(0.25) is that value (the first whose rank / n reaches 0.25) in one ordered
# aggregate per stage, without numbering every row; and in the same pass the funnel scorecard's
# counts and days (enablement.analytics.stage_figures): the median as the mean of the values at rank
# ceil(n / 2) from the bottom and from the top (the two middle ones, or the middle one twice), the
# 75th percentile at rank ceil(3n / 4) — the ranks QUANTILES_SQL picks elsewhere.
SCORECARD_PG_SQL = """
SELECT stage_id, percentile_disc(0.25) WITHIN GROUP (ORDER BY days) FILTER (WHERE outcome <> 'open'),
       COUNT(*) FILTER (WHERE outcome = 'advanced'), COUNT(*) FILTER (WHERE outcome = 'lost'),
       COUNT(*) FILTER (WHERE outcome = 'open'),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE outcome = 'advanced'),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY days DESC) FILTER (WHERE outcome = 'advanced'),
       percentile_disc(0.75) WITHIN GROUP (ORDER BY days) FILTER (WHERE outcome = 'advanced')
FROM {entry} WHERE run_id = %s GROUP BY stage_id
"""
QUARTILE_SQL = """
SELECT stage_id, days FROM (
    SELECT stage_id, days, ROW_NUMBER() OVER (PARTITION BY stage_id ORDER BY days) AS rn,
           COUNT(*) OVER (PARTITION BY stage_id) AS cnt
    FROM {entry} WHERE run_id = %s AND outcome <> 'open'
) ranked WHERE rn = (cnt + 3) / 4
"""

# The exposures' columns, in the order EXPOSURES_SQL selects and names them (CREATE TABLE … AS).
EXPOSURE_COLUMNS = ("run_id", "asset_id", "entry_id", "in_window")
EXPOSURES_SQL = """
SELECT CAST(%s AS {run_type}) AS run_id, u.asset_id, e.id AS entry_id,
       MIN(u.occurred_at) < {landmark_at} AS in_window
FROM {entry} e JOIN {usage} u ON u.deal_id = e.deal_id
WHERE e.run_id = %s AND {at_risk} AND u.occurred_at >= e.entered_at
  AND (e.resolved_at IS NULL OR u.occurred_at < e.resolved_at) {where}
GROUP BY e.id, u.asset_id, e.stage_id, e.entered_at
"""


class Landmarks:
    """Each open stage's landmark in whole days (None: nothing resolved there and no setting), and
    the SQL that follows from it for an entries table aliased `e`."""

    def __init__(
        self,
        days: dict[int, int | None],
        as_of: datetime,
        quartiles: dict[int, float],
        scorecard: dict[int, tuple] | None = None,
    ) -> None:
        self.days, self.as_of, self.quartiles = days, as_of, quartiles
        # {stage: (advanced, lost, open, median days, 75th percentile)} when read with the quartiles
        self.scorecard = scorecard
        self.landmark_at = sql.plus_days("e.entered_at", sql.per_stage("e.stage_id", days))

    def at_risk(self) -> tuple[str, list]:
        """Landmark passed by the run's time, and not resolved before it."""
        lm = self.landmark_at
        return f"({lm} <= %s AND (e.resolved_at IS NULL OR e.resolved_at >= {lm}))", [sql.moment(self.as_of)]


def entries_insert(run_id: int, *, deals: str = "") -> int:
    where = f"WHERE sc.deal_id IN ({deals})" if deals else ""
    atime, ltime = _resolution_times()
    statement = ENTRIES_SQL.format(
        **sql.tables(),
        where=where,
        picked=_stage_columns(),
        quarter=sql.quarter("r.entered_at"),
        atime=atime,
        ltime=ltime,
        lost_days=sql.days_between("r.entered_at", "r.ltime"),
        advanced_days=sql.days_between("r.entered_at", "r.atime"),
        won=_won("d.current_stage_id"),
    )
    # Every deal's entries: one hash of the deals (sql.hash_joins); a few deals' (the refresh): their rows.
    with sql.hash_joins() if not deals else nullcontext(), connection.cursor() as cursor:
        cursor.execute(statement, [run_id])
        return cursor.rowcount


def landmarks_compute(
    run_id: int, as_of: datetime, *, quartiles: dict[int, float] | None = None
) -> Landmarks:
    """The stage's own setting, else the 25th percentile of days to resolution rounded up, at least 1.

    `quartiles` (per stage) when they are known still, else they are read from the entries."""
    scorecard = None
    if quartiles is None and sql.postgres():
        quartiles, scorecard = _quartiles_and_scorecard(run_id)
    elif quartiles is None:
        with connection.cursor() as cursor:
            cursor.execute(QUARTILE_SQL.format(**sql.tables()), [run_id])
            quartiles = {stage: float(days) for stage, days in cursor.fetchall()}
    days: dict[int, int | None] = {}
    for stage in FunnelStage.objects.open():
        if stage.landmark_days:
            days[stage.pk] = stage.landmark_days
        elif quartiles.get(stage.pk) is not None:
            days[stage.pk] = max(1, math.ceil(quartiles[stage.pk]))
        else:
            days[stage.pk] = None
    return Landmarks(days, as_of, quartiles, scorecard)


def _quartiles_and_scorecard(run_id: int) -> tuple[dict[int, float], dict[int, tuple]]:
    quartiles, scorecard = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(SCORECARD_PG_SQL.format(**sql.tables()), [run_id])
        for stage, p25, advanced, lost, still_open, low, high, p75 in cursor.fetchall():
            if p25 is not None:
                quartiles[stage] = float(p25)
            median = None if low is None else (float(low) + float(high)) / 2
            scorecard[stage] = (advanced, lost, still_open, median, None if p75 is None else float(p75))
    return quartiles, scorecard


def _exposures_sql(landmarks: Landmarks, where: str) -> tuple[str, list]:
    at_risk, risk_params = landmarks.at_risk()
    statement = EXPOSURES_SQL.format(
        **sql.tables(),
        run_type=Exposure._meta.get_field("run").db_type(connection),
        landmark_at=landmarks.landmark_at,
        at_risk=at_risk,
        where=f"AND {where}" if where else "",
    )
    return statement, risk_params


def exposures_insert(
    run_id: int, landmarks: Landmarks, *, where: str = "", params: list | None = None
) -> int:
    """Exposures of the run's entries at risk; `where` narrows the entries (`e`) with `params`."""
    statement, risk_params = _exposures_sql(landmarks, where)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sql.tables()['exposure']} ({', '.join(EXPOSURE_COLUMNS)}) {statement}",
            [run_id, run_id, *risk_params, *(params or [])],
        )
        return cursor.rowcount


def exposures_table_made(run_id: int, landmarks: Landmarks) -> int:
    """PostgreSQL, a full run: the exposures table made anew by `CREATE TABLE … AS`, which runs the
    join and grouping with parallel workers where PostgreSQL 15 runs `INSERT … SELECT` in one process,
    and takes the old table's place (its key built after, in one sorted pass). In the run's
    transaction: if the run fails, the old table is back. Faster than the parallel query into a
    temporary table and a copy of its rows (docs/decisions/run-time-schema-changes.md)."""
    table = sql.tables()["exposure"]
    made = f"{table}_{int(run_id)}"
    statement, risk_params = _exposures_sql(landmarks, "")
    key = sql.primary_key(table)
    # Grouped by sorting (each worker sorts its share of the join, the leader merges and groups in
    # order) rather than by one hash in the leader, which is slower here (the grouping
    # hardly reduces the rows), and the rows come out in the key's order, so the key is built faster.
    with sql.planner_without("enable_hashagg"), connection.cursor() as cursor:
        cursor.execute(  # as the table it replaces (migration 0014: no WAL, no autovacuum)
            f"CREATE UNLOGGED TABLE {made} WITH (autovacuum_enabled = false) AS {statement}",
            [run_id, run_id, *risk_params],
        )
        rows = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {made} " + ", ".join(f"ALTER COLUMN {c} SET NOT NULL" for c in EXPOSURE_COLUMNS)
        )
        grants = sql.grants_of(table)  # reporting roles granted the old table keep them
        cursor.execute(f"DROP TABLE {table}")
        cursor.execute(f"ALTER TABLE {made} RENAME TO {table}")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {key} PRIMARY KEY (entry_id, asset_id)")
    sql.grants_apply(table, grants)
    return rows


def exposures_delete(run_id: int, deals: str) -> None:
    """Forget the exposures of these deals in the run (the refresh writes them anew)."""
    t = sql.tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {t['exposure']} WHERE run_id = %s AND entry_id IN "
            f"(SELECT id FROM {t['entry']} WHERE run_id = %s AND deal_id IN ({deals}))",
            [run_id, run_id],
        )


def entries_delete(run_id: int, deals: str) -> None:
    """Forget the entries of these deals in the run (their exposures first: exposures_delete)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {sql.tables()['entry']} WHERE run_id = %s AND deal_id IN ({deals})", [run_id]
        )
