"""A refresh's exposures of the deals with new usage only (their entries stand), moved by the new
uses alone. Uses are only ever added (an import or the API inserts them; none is edited), so an
exposure of an asset in an entry can only come (a first use in the stay) or move from after the
landmark to before it (an earlier first use); reading the new uses and the stored exposures of their
(asset, entry) pairs is enough, however many uses and exposures those deals had before. Only that
difference is written, and it is also what enablement.analytics.delta moves the figures by.

Uses recorded since the last run's watermark may include some that run saw already; applying them
again changes nothing (the exposure is there, on the right side of the landmark)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from enablement.analytics import delta, sql
from enablement.analytics.cohort import EXPOSURE_COLUMNS, Landmarks

# Per (asset, entry at risk) the first of the new uses in the stay, with the entry's stratum, outcome,
# amount and days, and the stored exposure's side of the landmark (NULL: none stored yet).
NEW_USES = """
SELECT n.asset_id, e.stage_id, e.id, e.owner_id, e.quarter, e.outcome, x.in_window,
       n.first < {landmark_at} AS due, e.amount, e.won, e.days
FROM (
    SELECT u.asset_id, e.id AS entry_id, MIN(u.occurred_at) AS first
    FROM {usage} u JOIN {entry} e ON e.deal_id = u.deal_id
    WHERE u.recorded_at >= %s AND u.deal_id IN ({deals}) AND e.run_id = %s AND {at_risk}
      AND u.occurred_at >= e.entered_at AND (e.resolved_at IS NULL OR u.occurred_at < e.resolved_at)
      AND e.stage_id IN ({stages}) AND NOT ({passed})
    GROUP BY u.asset_id, e.id
) n
JOIN {entry} e ON e.id = n.entry_id
LEFT JOIN {exposure} x ON x.run_id = e.run_id AND x.entry_id = e.id AND x.asset_id = n.asset_id
"""


def changes_written(
    run_id: int,
    landmarks: Landmarks,
    since: datetime,
    deals: str,
    stages: list[int],
    passed: tuple[str, list],
) -> list[delta.Change]:
    """Bring the exposures of these deals at these stages up to date with the uses recorded since
    `since`, leaving out the entries whose landmark passed since the last run (`passed`: SQL over
    `e` and its parameters; their exposures are written whole), and return what changed."""
    marks = ", ".join(str(int(s)) for s in stages) or "NULL"
    at_risk, risk_params = landmarks.at_risk()
    where_passed, passed_params = passed
    statement = NEW_USES.format(
        **sql.tables(),
        landmark_at=landmarks.landmark_at,
        at_risk=at_risk,
        deals=deals,
        stages=marks,
        passed=where_passed or "FALSE",
    )
    changes: list[delta.Change] = []
    came, flipped = [], []
    with connection.cursor() as cursor:
        cursor.execute(statement, [sql.moment(since), run_id, *risk_params, *passed_params])
        for asset, stage, entry, owner, quarter, outcome, stored, due, amount, won, days in cursor.fetchall():
            row = (asset, stage, entry, owner, quarter, outcome)
            if stored is None:  # a first use in the stay
                changes.append(delta.Change(1, *row, due, amount, won, days))
                came.append((run_id, asset, entry, bool(due)))
            elif not stored and due:  # used before the landmark now, only after it until now
                changes.append(delta.Change(-1, *row, False, amount, won, days))
                changes.append(delta.Change(1, *row, True, amount, won, days))
                flipped.append((run_id, entry, asset))
        table = sql.tables()["exposure"]
        if flipped:
            cursor.executemany(
                f"UPDATE {table} SET in_window = TRUE WHERE run_id = %s AND entry_id = %s AND asset_id = %s",
                flipped,
            )
    sql.rows_insert(table, EXPOSURE_COLUMNS, came)
    return changes
