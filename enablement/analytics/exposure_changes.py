"""A refresh's exposures of the deals with new usage only (their entries stand): the exposures they
should have now are worked out beside the stored ones, and only the difference is written — the
exposures that came, went, or moved before or after the landmark, a handful per new use — instead of
deleting and writing every exposure of those deals again. The difference is also what
enablement.analytics.delta moves the figures by."""

from __future__ import annotations

from django.db import connection

from enablement.analytics import delta, sql
from enablement.analytics.cohort import Landmarks

BEFORE = "analytics_exposures_before"
AFTER = "analytics_exposures_after"
COLUMNS = "asset_id, stage_id, entry_id, owner_id, quarter, outcome, in_window, amount, won, days"

# An exposure with what its figures need of its entry: stratum, outcome, amount, days.
STORED = (
    "SELECT x.asset_id, e.stage_id, x.entry_id, e.owner_id, e.quarter, e.outcome, x.in_window, e.amount, "
    "e.won, e.days FROM {entry} e JOIN {exposure} x ON x.run_id = e.run_id AND x.entry_id = e.id "
    "WHERE e.run_id = %s AND e.deal_id IN ({deals})"
)
# The same rows as the exposures step would write them now (enablement.analytics.cohort.EXPOSURES_SQL).
DUE = """
SELECT u.asset_id, e.stage_id, e.id AS entry_id, e.owner_id, e.quarter, e.outcome,
       MIN(u.occurred_at) < {landmark_at} AS in_window, e.amount, e.won, e.days
FROM {entry} e JOIN {usage} u ON u.deal_id = e.deal_id
WHERE e.run_id = %s AND {at_risk} AND u.occurred_at >= e.entered_at
  AND (e.resolved_at IS NULL OR u.occurred_at < e.resolved_at)
  AND e.deal_id IN ({deals}) AND e.stage_id IN ({stages})
GROUP BY u.asset_id, e.id, e.stage_id, e.owner_id, e.quarter, e.outcome, e.amount, e.won, e.days, e.entered_at
"""


def kept(run_id: int, deals: str) -> None:
    """The stored exposures of these deals, before the refresh changes anything."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BEFORE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {BEFORE} AS {STORED.format(**sql.tables(), deals=deals)}", [run_id]
        )


def changes_written(run_id: int, landmarks: Landmarks, deals: str, stages: list[int]) -> list[delta.Change]:
    """Bring the exposures of these deals at these stages up to date by their difference from the
    stored ones (`kept` first), and return that difference."""
    marks = ", ".join(str(int(s)) for s in stages) or "NULL"
    at_risk, risk_params = landmarks.at_risk()
    due = DUE.format(
        **sql.tables(), landmark_at=landmarks.landmark_at, at_risk=at_risk, deals=deals, stages=marks
    )
    before = f"SELECT {COLUMNS} FROM {BEFORE} WHERE stage_id IN ({marks})"
    after = f"SELECT {COLUMNS} FROM {AFTER}"
    t = sql.tables()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {AFTER}")
        cursor.execute(f"CREATE TEMPORARY TABLE {AFTER} AS {due}", [run_id, *risk_params])
        cursor.execute(
            f"SELECT 1, a.* FROM ({after} EXCEPT {before}) a "
            f"UNION ALL SELECT -1, b.* FROM ({before} EXCEPT {after}) b"
        )
        changes = [delta.Change(*row) for row in cursor.fetchall()]
        gone = [(run_id, c.entry_id, c.asset_id) for c in changes if c.sign < 0]
        came = [(run_id, c.asset_id, c.entry_id, c.in_window) for c in changes if c.sign > 0]
        if gone:
            cursor.executemany(
                f"DELETE FROM {t['exposure']} WHERE run_id = %s AND entry_id = %s AND asset_id = %s", gone
            )
        if came:
            cursor.executemany(
                f"INSERT INTO {t['exposure']} (run_id, asset_id, entry_id, in_window) "
                "VALUES (%s, %s, %s, %s)",
                came,
            )
        cursor.execute(f"DROP TABLE {AFTER}")
        cursor.execute(f"DROP TABLE {BEFORE}")
    return changes
