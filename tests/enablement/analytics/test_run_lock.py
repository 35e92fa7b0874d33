"""Two analytics runs never compute at once. On PostgreSQL an advisory lock of the database keeps
them apart, whether the cache is up or down: a full run empties the working tables with TRUNCATE,
and a refresh whose snapshot came before it would read them as empty and write figures made from
nothing. A run that finds another computing is skipped; the lock goes with the run, also when it
fails."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection

from enablement.analytics import engine
from enablement.analytics.engine import LOCK_ID, analytics_compute
from enablement.analytics.models import AnalyticsRun
from tests.enablement.analytics.test_contract_reference import _world

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@contextmanager
def another_run_computing() -> Iterator[None]:
    """Another process's run holding the lock (a session of its own on the test database)."""
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname=s["NAME"],
        autocommit=True,
    ) as other:
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_ID]).fetchone()[0]
        yield


@pytest.mark.parametrize("refresh", [False, True])
def test_a_run_while_another_computes_is_skipped_with_the_cache_up_or_down(refresh, redis_down):
    _world(3)
    with another_run_computing():
        assert analytics_compute(refresh=refresh) is None
        assert not AnalyticsRun.objects.exists()
    run = analytics_compute(refresh=refresh)  # the other one finished: this one runs
    assert run is not None and AnalyticsRun.objects.get() == run


def test_the_lock_goes_with_a_run_that_fails(monkeypatch):
    _world(4)

    def broken(*args, **kwargs):
        raise RuntimeError("a step failed")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "first_uses", broken)
        with pytest.raises(RuntimeError, match="a step failed"):
            analytics_compute()
    with another_run_computing():  # would fail to take it if the failed run still held it
        pass
    assert analytics_compute() is not None
