"""What an analytics run leaves in the database, to compare before and after."""

from __future__ import annotations

from django.db import connection

from enablement.analytics.models import Exposure, StageEntry


def _layout() -> dict:
    """The working tables as the database holds them: tables, constraints and indexes."""
    with connection.cursor() as cursor:
        tables = sorted(
            t for t in connection.introspection.table_names(cursor) if t.startswith("enablement_exposure")
        )
        exposure = connection.introspection.get_constraints(cursor, Exposure._meta.db_table)
        entry = connection.introspection.get_constraints(cursor, StageEntry._meta.db_table)
    key = {(n, tuple(c["columns"])) for n, c in exposure.items() if c["primary_key"]}
    indexes = {tuple(c["columns"]) for c in entry.values() if c["index"] and not c["primary_key"]}
    # a full run on PostgreSQL drops the entries' key and indexes while it fills the table
    entry_key = {(n, tuple(c["columns"])) for n, c in entry.items() if c["primary_key"]}
    return {"tables": tables, "key": key, "entry indexes": indexes, "entry key": entry_key}
