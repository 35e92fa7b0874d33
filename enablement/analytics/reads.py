"""The `read` exposure kind (docs/analytics-method.md): the buyer read an asset in a deal room of the deal
for at least ANALYTICS_READ_SECONDS in total over the visits that started in the stay, `in_window`
when that much was read in the visits that started before the landmark. Written per entry at risk
like the `used` exposures (enablement.analytics.cohort), into their own working table, and figured by
the same statements with that table in place of the exposures (enablement.analytics.figures).

A visit's seconds grow as its page reports them (and each batch moves the visit's `last_seen_at`),
visits are only added, and a deleted confirmed visit makes the next run a full one: so a refresh
finds the deals whose reading changed by `last_seen_at`, works out their read exposures anew and
writes (and moves the figures by) the difference alone (read_changes_written)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from enablement.analytics import delta, sql
from enablement.analytics.cohort import EXPOSURE_COLUMNS, Landmarks
from enablement.analytics.models import ReadExposure
from enablement.choices import ExposureKind

READ = ExposureKind.READ
# Per entry at risk and asset, the seconds read over the visits that started in the stay, and over
# those that started before the landmark; only pairs read long enough over the stay are kept.
READS_SQL = """
SELECT CAST(%s AS {run_type}) AS run_id, p.asset_id, e.id AS entry_id,
       SUM(CASE WHEN v.started_at < {landmark_at} THEN p.seconds ELSE 0 END) >= %s AS in_window
FROM {entry} e
JOIN {room} r ON r.deal_id = e.deal_id
JOIN {visit} v ON v.room_id = r.id
JOIN {pageview} p ON p.visit_id = v.id
WHERE e.run_id = %s AND {at_risk} AND v.started_at >= e.entered_at
  AND (e.resolved_at IS NULL OR v.started_at < e.resolved_at) {where}
GROUP BY e.id, p.asset_id, e.stage_id, e.entered_at
HAVING SUM(p.seconds) >= %s
"""


def _reads_sql(run_id: int, landmarks: Landmarks, where: str, params: list | None) -> tuple[str, list]:
    at_risk, risk_params = landmarks.at_risk()
    statement = READS_SQL.format(
        **sql.tables(),
        run_type=ReadExposure._meta.get_field("run").db_type(connection),
        landmark_at=landmarks.landmark_at,
        at_risk=at_risk,
        where=f"AND {where}" if where else "",
    )
    seconds = settings.ANALYTICS_READ_SECONDS
    return statement, [run_id, seconds, run_id, *risk_params, *(params or []), seconds]


def reads_insert(run_id: int, landmarks: Landmarks, *, where: str = "", params: list | None = None) -> int:
    """Read exposures of the run's entries at risk; `where` narrows the entries (`e`) with `params`."""
    statement, values = _reads_sql(run_id, landmarks, where, params)
    with connection.cursor() as cursor:
        columns = ", ".join(EXPOSURE_COLUMNS)
        cursor.execute(f"INSERT INTO {sql.tables()['read']} ({columns}) {statement}", values)
        return cursor.rowcount


def reads_delete(run_id: int, entries: str) -> None:
    """Forget the read exposures of these entries (SQL selecting entry ids)."""
    with connection.cursor() as cursor:
        table = sql.tables()["read"]
        cursor.execute(f"DELETE FROM {table} WHERE run_id = %s AND entry_id IN ({entries})", [run_id])


# The read exposures stored for the entries of some deals, with each entry's stratum and outcome.
STORED_SQL = """
SELECT x.asset_id, e.id, x.in_window FROM {read} x JOIN {entry} e ON e.id = x.entry_id
WHERE x.run_id = %s AND e.run_id = %s AND {narrow}
"""
ENTRY_SQL = """
SELECT e.id, e.stage_id, e.owner_id, e.quarter, e.outcome, e.amount, e.won, e.days FROM {entry} e
WHERE e.run_id = %s AND {narrow}
"""


def read_changes_written(
    run_id: int, landmarks: Landmarks, deals: str, stages: list[int], passed: tuple[str, list]
) -> list[delta.Change]:
    """Bring the read exposures of these deals' entries at these stages up to date (leaving out the
    entries whose landmark passed since the last run, `passed`: written whole), and return what came,
    went or moved across the landmark, for the figures to move by."""
    if not stages:
        return []
    where_passed, passed_params = passed
    marks = ", ".join(str(int(s)) for s in stages)
    narrow = f"e.deal_id IN ({deals}) AND e.stage_id IN ({marks}) AND NOT ({where_passed or 'FALSE'})"
    t = sql.tables()
    statement, values = _reads_sql(run_id, landmarks, narrow, passed_params)
    fresh = {(a, e): bool(w) for _, a, e, w in sql.read_rows(statement, values)}
    stored = {
        (a, e): bool(w)
        for a, e, w in sql.read_rows(STORED_SQL.format(**t, narrow=narrow), [run_id, run_id, *passed_params])
    }
    moved = {key for key in set(fresh) | set(stored) if fresh.get(key) != stored.get(key)}
    if not moved:
        return []
    entries = {
        row[0]: row[1:]
        for row in sql.read_rows(ENTRY_SQL.format(**t, narrow=narrow), [run_id, *passed_params])
    }
    changes = []
    for asset, entry in sorted(moved):
        stage, owner, quarter, outcome, amount, won, days = entries[entry]
        row = (asset, stage, entry, owner, quarter, outcome)
        if (asset, entry) in stored:
            changes.append(delta.Change(-1, *row, stored[(asset, entry)], amount, won, days))
        if (asset, entry) in fresh:
            changes.append(delta.Change(1, *row, fresh[(asset, entry)], amount, won, days))
    _write(run_id, moved, fresh)
    return changes


def _write(run_id: int, moved: set[tuple[int, int]], fresh: dict[tuple[int, int], bool]) -> None:
    table = sql.tables()["read"]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM {table} WHERE run_id = %s AND entry_id = %s AND asset_id = %s",
            [(run_id, e, a) for a, e in moved],
        )
    came = [(run_id, a, e, fresh[(a, e)]) for a, e in moved if (a, e) in fresh]
    sql.rows_insert(table, EXPOSURE_COLUMNS, came)
