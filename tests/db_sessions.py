"""A database session of its own on the test database, beside Django's: another worker, an import
committing elsewhere, a run holding a lock (PostgreSQL)."""

from __future__ import annotations

import psycopg
from django.db import connection


def another_session(*, autocommit: bool = False) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        password=s["PASSWORD"] or None,
        autocommit=autocommit,
    )
