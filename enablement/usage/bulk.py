"""usage_record_many's insert for a big batch on PostgreSQL: COPY into a staging table, then one
`INSERT … SELECT … ON CONFLICT (event_id) DO NOTHING RETURNING`, each new event taking its deal's
stage at `occurred_at` from the history in the same statement.

A batch of 1,000 events sent as one INSERT … VALUES carries 9,000 parameters, which the driver splices
into the statement's text one by one; COPY streams the rows as they are.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import connection
from django.db.models import Field, Lookup
from django.db.models.lookups import In

from enablement.choices import UsageSource
from enablement.deals.history import stage_at_sql
from enablement.usage.models import UsageEvent

COPY_FROM = 50  # events; below this the plain INSERT … VALUES is as quick
STAGING = "usage_incoming"
COLUMNS = ["event_id", "asset_id", "asset_version_id", "deal_id", "rep_id", "action", "occurred_at", "source"]


class AnyOf(Lookup):
    """`column = ANY(%s)` with the values as one array parameter on PostgreSQL; `IN` elsewhere. It
    finds what `__in` finds: Nones dropped (as `IN` drops them: in an array they would make `NOT
    (… = ANY …)` null), whole numbers outside the column's range dropped (no row holds them; the cast
    would fail), and the array cast to the column's type without its length or scale (`varchar`, not
    `varchar(100)`, which would cut longer values to match)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        kind = getattr(field, "target_field", field).get_internal_type()
        try:
            low, high = connection.ops.integer_field_range(kind)
        except KeyError:  # not a whole number
            low = high = None
        values = []
        for value in self.rhs:
            if value is None:
                continue
            value = field.get_prep_value(value)  # "abc" for a number: the ValueError `__in` raises
            if low is None or low <= value <= high:
                values.append(field.get_db_prep_value(value, connection, prepared=True))
        # The array in the column's type: psycopg sends small numbers as smallint[], and bigint =
        # smallint has no hash function, so the array was searched element by element for each row.
        cast = re.sub(r"\(.*\)$", "", field.cast_db_type(connection))
        return f"{lhs} = ANY(%s::{cast}[])", [*lhs_params, values]


Field.register_lookup(AnyOf)


def one_of(column: str, values: set) -> dict:
    """A filter for `column IN values`: on PostgreSQL one array parameter (`= ANY(%s)`), since the
    driver splices each of a thousand separate parameters into the statement's text one by one. (Not
    `id IN (SELECT id … WHERE column = ANY(%s))`: on the primary key the planner probed the array for
    each row of a nested loop, many times slower; docs/benchmarks.md.)"""
    if connection.vendor != "postgresql":
        return {f"{column}__in": values}
    return {f"{column}__any_of": list(values)}


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
