"""The second baseline of the ingest benchmarks: how fast PostgreSQL itself lands rows in the
product's own tables, with the indexes and foreign keys they carry.

A bare `COPY` into a table of text columns (the issue's baseline) maintains no index and checks no
reference. Here the rows an import or the API wrote are read back (binary `COPY … TO`) and written
again by one binary `COPY … FROM` into fresh copies of their tables (`LIKE … INCLUDING ALL`: the same
columns, key, unique and plain indexes, checks), each given the original's foreign keys (to the real
parent tables, `DEFERRABLE INITIALLY DEFERRED` as Django makes them), and committed: no parsing, no
judging, no lookups, one statement per table. No importer that keeps those indexes live and those
references checked can be faster; dropping them for a load is DDL that takes `ACCESS EXCLUSIVE` locks,
on the parent tables too (dropping a foreign key locks `auth_user`, which every page reads).
"""

from __future__ import annotations

import time

import psycopg


def _rows(cur, table: str, where: str) -> tuple[list[str], bytes]:
    cur.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    columns = [name for (name,) in cur.fetchall()]
    data = bytearray()
    with cur.copy(
        f"COPY (SELECT {', '.join(columns)} FROM {table} WHERE {where}) TO STDOUT (FORMAT binary)"
    ) as copy:
        for block in copy:
            data += block
    return columns, bytes(data)


def _empty_copy_of(cur, table: str) -> str:
    twin = f"ceiling_{table}"
    cur.execute(f"DROP TABLE IF EXISTS {twin}")
    cur.execute(f"CREATE TABLE {twin} (LIKE {table} INCLUDING ALL)")
    cur.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    for (definition,) in cur.fetchall():
        cur.execute(f"ALTER TABLE {twin} ADD {definition}")
    return twin


def copy_into_product_tables(url: str, wheres: dict[str, str]) -> tuple[int, float]:
    """On the database at `url`, the rows of each table (`wheres`: table → condition picking the rows
    to land) written again into an indexed, constrained copy of it, in the order given, in one
    transaction; returns (rows, seconds of the COPYs and the commit, where the deferred foreign-key
    checks run)."""
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        loads = []
        for table, where in wheres.items():
            columns, data = _rows(cur, table, where)
            loads.append((_empty_copy_of(cur, table), columns, data))
        conn.commit()
        cur.execute("CHECKPOINT")
        rows, started = 0, time.perf_counter()
        for twin, columns, data in loads:
            with cur.copy(f"COPY {twin} ({', '.join(columns)}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
            rows += cur.rowcount
        conn.commit()
        seconds = time.perf_counter() - started
        for twin, _, _ in loads:
            cur.execute(f"DROP TABLE {twin}")
        conn.commit()
    return rows, seconds
