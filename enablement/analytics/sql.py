"""SQL fragments that differ between PostgreSQL and SQLite, and the tables the engine reads.

Times are compared as the database stores them: PostgreSQL timestamps, SQLite text in Django's
format (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC), which sorts as it reads. Whole days are added on the
calendar in UTC on both, so `entered + landmark` is the same instant on either database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import datetime

from django.db import DatabaseError, connection

from assets.models import FunnelStage
from enablement.analytics.models import Exposure, ReadExposure, StageEntry
from enablement.deals.models import Account, Deal, StageChange
from enablement.rooms.models import DealRoom, PageView, Visit
from enablement.usage.models import UsageEvent


def tables() -> dict[str, str]:
    return {
        "entry": StageEntry._meta.db_table,
        "exposure": Exposure._meta.db_table,
        "change": StageChange._meta.db_table,
        "stage": FunnelStage._meta.db_table,
        "deal": Deal._meta.db_table,
        "account": Account._meta.db_table,
        "usage": UsageEvent._meta.db_table,
        "read": ReadExposure._meta.db_table,
        "room": DealRoom._meta.db_table,
        "visit": Visit._meta.db_table,
        "pageview": PageView._meta.db_table,
    }


def postgres() -> bool:
    return connection.vendor == "postgresql"


def days_between(start: str, end: str) -> str:
    """Days from `start` to `end` as a float (SQLite: to the millisecond, julianday's precision)."""
    if postgres():  # date_part: a double, where EXTRACT makes a numeric (slower over every entry)
        return f"date_part('epoch', {end} - {start}) / 86400.0"
    return f"ROUND((julianday({end}) - julianday({start})) * 86400000) / 86400000.0"


def plus_days(column: str, days: str) -> str:
    """`column` + `days` whole days."""
    if postgres():
        return f"({column} + ({days}) * INTERVAL '24 hours')"
    # datetime() drops the fraction of a second; it is put back so the text compares exactly.
    return f"(datetime({column}, '+' || ({days}) || ' days') || substr({column}, 20))"


def quarter(column: str) -> str:
    """year × 4 + quarter − 1 of a stored UTC time."""
    if postgres():  # date_part: a double, where EXTRACT makes a numeric (slower; the same whole numbers)
        return (
            f"(CAST(date_part('year', {column} AT TIME ZONE 'UTC') AS INTEGER) * 4"
            f" + (CAST(date_part('month', {column} AT TIME ZONE 'UTC') AS INTEGER) - 1) / 3)"
        )
    return (
        f"(CAST(substr({column}, 1, 4) AS INTEGER) * 4 + (CAST(substr({column}, 6, 2) AS INTEGER) - 1) / 3)"
    )


def quarter_of(moment: datetime) -> int:
    return moment.year * 4 + (moment.month - 1) // 3


def per_stage(column: str, values: dict[int, int | None]) -> str:
    """A CASE choosing each stage's value (ids and whole numbers only, so inlining them is safe)."""
    whens = " ".join(f"WHEN {int(k)} THEN {int(v)}" for k, v in values.items() if v is not None)
    return f"(CASE {column} {whens} ELSE NULL END)" if whens else "NULL"


def moment(value: datetime) -> object:
    """A parameter compared with stored times."""
    return connection.ops.adapt_datetimefield_value(value)


def read_rows(statement: str, params: list) -> list[tuple]:
    """Every row a statement reads."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def rows_insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain rows into a table: on PostgreSQL by COPY (a refresh's thousand exposures had gone as one
    INSERT with 4,000 parameters, which the driver parses on every call), elsewhere by INSERT."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if postgres():
            # The driver's cursor, past Django's wrapper: its errors are made Django's here, as the
            # wrapper would (callers know django.db errors; a failed connection is marked so).
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def primary_key(table: str) -> str:
    """PostgreSQL: the name of the table's primary key constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table]
        )
        return cursor.fetchone()[0]


def grants_of(table: str) -> list[tuple[str, str, bool]]:
    """PostgreSQL: the privileges granted on a table to roles other than its owner, as (grantee,
    privilege, with grant option), the grantee quoted (or PUBLIC)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, "
            "a.privilege_type, a.is_grantable "
            "FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
            "LEFT JOIN pg_roles r ON r.oid = a.grantee "
            "WHERE c.oid = %s::regclass AND a.grantee <> c.relowner ORDER BY 1, 2",
            [table],
        )
        return cursor.fetchall()


def grants_apply(table: str, grants: list[tuple[str, str, bool]]) -> None:
    """Grant them on `table` (a table made anew in another's place keeps that one's grants)."""
    with connection.cursor() as cursor:
        for grantee, privilege, grantable in grants:  # privilege: a keyword PostgreSQL named
            option = " WITH GRANT OPTION" if grantable else ""
            cursor.execute(f"GRANT {privilege} ON {table} TO {grantee}{option}")


def analyze(*names: str) -> None:
    """Fresh planner statistics for tables just filled, so later steps are planned for their size."""
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")


@contextmanager
def planner_without(*methods: str) -> Iterator[None]:
    """PostgreSQL: plan methods switched off (`"enable_nestloop"`) for the statements inside, local to
    the transaction and switched on again after them."""
    if not postgres():
        yield
        return
    with connection.cursor() as cursor:
        for name in methods:
            cursor.execute("SELECT set_config(%s, 'off', true)", [name])
    try:
        yield
    except BaseException:
        # A statement inside failed and aborted the transaction: putting the settings back would fail
        # too and hide that statement's error behind "current transaction is aborted".
        with suppress(DatabaseError), connection.cursor() as cursor:
            for name in methods:
                cursor.execute("SELECT set_config(%s, 'on', true)", [name])
        raise
    with connection.cursor() as cursor:
        for name in methods:
            cursor.execute("SELECT set_config(%s, 'on', true)", [name])


def hash_joins() -> AbstractContextManager[None]:
    """PostgreSQL: no nested loops for the statements inside. They join the working tables with small
    temporary tables (the scope, the cuts) and subqueries whose estimates can be far off, and a loop
    from the (asset, stage) pairs over the entries costs pairs × entries; the entries' window over
    the history is estimated at a fraction of its rows, and a loop over the deals' index for each of
    them costs more than one hash of the deals. Every join there is an
    equality that a hash or merge join answers in one pass over each side."""
    return planner_without("enable_nestloop")
