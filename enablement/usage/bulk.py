"""usage_record_many's insert for a big batch on PostgreSQL: COPY into a staging table, then one
`INSERT … SELECT … ON CONFLICT (event_id) DO NOTHING RETURNING`, each new event taking its deal's
stage at `occurred_at` from the history in the same statement.

A batch of 1,000 events sent as one INSERT … VALUES carries 9,000 parameters, which the driver splices
into the statement's text one by one; COPY streams the rows as they are.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from enablement.choices import UsageSource
from enablement.deals.history import stage_at_sql
from enablement.usage.models import UsageEvent

COPY_FROM = 50  # events; below this the plain INSERT … VALUES is as quick
STAGING = "usage_incoming"
COLUMNS = ["event_id", "asset_id", "asset_version_id", "deal_id", "rep_id", "action", "occurred_at", "source"]


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


def usage_insert_copy(events: list[dict], now: datetime) -> set[str]:
    """Insert the events whose event_id is new, with their stages; returns those event_ids."""
    with connection.cursor() as cursor:
        # Kept for the connection's life, emptied at each commit and before each use.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (event_id text, asset_id bigint, "
            "asset_version_id bigint, deal_id bigint, rep_id bigint, action text, occurred_at timestamptz, "
            "source text) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"DELETE FROM {STAGING}")
        with cursor.cursor.copy(f"COPY {STAGING} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for e in events:
                copy.write_row(usage_values(e, now))
        # Rows in event_id order, so concurrent batches take the unique index's locks in the same order
        # and cannot deadlock.
        stage = stage_at_sql("s.deal_id", "s.occurred_at")
        cursor.execute(
            f"""
            INSERT INTO {UsageEvent._meta.db_table} ({", ".join(COLUMNS)}, recorded_at, stage_id)
            SELECT s.event_id, s.asset_id, s.asset_version_id, s.deal_id, s.rep_id, s.action, s.occurred_at,
                   s.source, %s, {stage}
            FROM {STAGING} s ORDER BY s.event_id
            ON CONFLICT (event_id) DO NOTHING RETURNING event_id
            """,
            [now],
        )
        return {row[0] for row in cursor.fetchall()}
