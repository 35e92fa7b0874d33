"""Two analytics runs never compute at once. On PostgreSQL an advisory lock keeps them apart,
whether the cache is up or down: a full run empties the working tables with TRUNCATE, and a refresh
whose snapshot came before it would read them as empty and write figures made from nothing. A run
that finds another computing is skipped; the lock is held until the run's rows are committed, and
goes with the run, also when it fails or its session dies.

The tests commit (`transaction=True`), as the tasks and the command run: inside the test's own
transaction a lock of that transaction would last until the test ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from enablement.analytics import engine
from enablement.analytics.engine import LOCK_ID, LOCK_KEY, analytics_compute
from enablement.analytics.models import AnalyticsRun
from tests.db_sessions import another_session
from tests.enablement.analytics.random_world import _world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@contextmanager
def another_run_computing() -> Iterator[None]:
    with another_session(autocommit=True) as other:
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_ID]).fetchone()[0]
        yield
        # Let go before closing: a closed connection's backend releases its locks as it exits, a
        # moment after the client has gone, and the test's next run may come first on a busy machine.
        other.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])


def another_run_could_start() -> bool:
    with another_session(autocommit=True) as other:
        took = other.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_ID]).fetchone()[0]
        if took:
            other.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
        return took


@pytest.mark.parametrize("refresh", [False, True])
def test_a_run_while_another_computes_is_skipped_with_the_cache_down(refresh, redis_down):
    _world(3)
    with another_run_computing():
        assert analytics_compute(refresh=refresh) is None
        assert not AnalyticsRun.objects.exists()
    run = analytics_compute(refresh=refresh)  # the other one finished: this one runs
    assert run is not None and AnalyticsRun.objects.get() == run
    assert another_run_could_start()


def test_the_tasks_and_the_command_skip_while_another_run_computes():
    from enablement.tasks import analytics_recompute, analytics_refresh_after_import

    _world(9)
    with another_run_computing():
        assert analytics_recompute.apply().get() is None
        assert analytics_refresh_after_import.apply().get() is None
        with pytest.raises(CommandError, match="Another analytics run is computing"):
            call_command("compute_analytics")
        assert not AnalyticsRun.objects.exists()
    assert analytics_recompute.apply().get() is not None
    assert another_run_could_start()


def test_a_cache_lock_left_behind_does_not_stop_a_run():
    """With the cache up: the key an older worker's run left (or one a deploy interrupted) is not read."""
    _world(10)
    cache.add(LOCK_KEY, "1", 60)
    try:
        assert analytics_compute() is not None
    finally:
        cache.delete(LOCK_KEY)


def test_the_lock_goes_with_a_run_that_fails(monkeypatch):
    _world(4)

    def broken(*args, **kwargs):
        raise RuntimeError("a step failed")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "first_uses", broken)
        with pytest.raises(RuntimeError, match="a step failed"):
            analytics_compute()
    assert another_run_could_start()
    assert analytics_compute() is not None


def test_a_run_whose_session_was_killed_leaves_the_lock_free(monkeypatch):
    """A fail-over, or an administrator's pg_terminate_backend, in the middle of a run."""
    _world(7)
    real = engine.first_uses

    def killed(run):
        with another_session(autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
        real(run)

    with monkeypatch.context() as patched:
        patched.setattr(engine, "first_uses", killed)
        with pytest.raises(Exception):  # noqa: B017  (whichever the dead connection raises)
            analytics_compute()
    assert another_run_could_start()
    assert analytics_compute() is not None


def test_inside_a_callers_transaction_the_lock_lasts_until_it_commits():
    _world(6)
    with transaction.atomic():
        assert analytics_compute() is not None
        assert not another_run_could_start()  # its rows (and its TRUNCATE) are not committed yet
    assert another_run_could_start()


def test_inside_a_callers_transaction_that_fails_the_lock_goes_with_it(monkeypatch):
    """A database error before the run's own savepoint aborts the caller's transaction; the lock
    must not outlive it (the session's lock could not even be let go in an aborted transaction)."""
    _world(5)

    def broken_watermark(now):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(engine, "watermark", broken_watermark)
    with pytest.raises(Exception, match="division by zero"), transaction.atomic():
        analytics_compute()
    assert another_run_could_start()


def test_a_refresh_that_becomes_a_full_run_lets_the_lock_go():
    _world(8)
    run = analytics_compute(refresh=True)  # no current run yet: a full one
    assert run.mode == "full"
    assert another_run_could_start()
