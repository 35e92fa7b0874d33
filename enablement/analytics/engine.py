"""The analytics engine: the method of docs/analytics-method.md computed in the database, statistics
over the counts.

A full run, each step timed and stored on the run (`steps`, shown in the admin):
1. entries: each deal's first entry into each open stage with its outcome, resolution and days
   (enablement.analytics.cohort), then ANALYZE so the next steps are planned for its real size;
2. landmarks: each stage's landmark (its setting, or the 25th percentile of days to resolution),
   and on PostgreSQL the funnel scorecard's figures in the same pass;
3. exposures: for entries at risk at the landmark, the assets used before it (and those used only
   later; on PostgreSQL the table made anew, cohort.exposures_table_made), then ANALYZE; and the
   assets buyers read in the deal's rooms (enablement.analytics.reads);
4. availability: each asset's first recorded use, and the count of usage events;
5. figures: counts per stratum and medians from the working tables (enablement.analytics.figures);
6. tidy: older runs' working rows go.

A refresh (after an import or an API batch) brings the current run up to date in place
(enablement.analytics.refresh); many touched deals make it a full run. The pieces both are made of
(timed steps, the run's transaction, availability, writing the figures) are in
enablement.analytics.runs.

Each run is one transaction (REPEATABLE READ on PostgreSQL, so every step reads the same data, with
`work_mem` raised for it); readers see the previous figures until it commits. An advisory lock of
the database keeps two runs from computing at once on PostgreSQL; on SQLite a cache lock (with the
cache down, a run goes without it: see analytics_compute).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils import timezone

from config.cache_outage import CACHE_ERRORS
from enablement.analytics import cohort, reads, sql, stage_figures
from enablement.analytics.models import AnalyticsRun, Exposure, FigureState, ReadExposure, StageEntry
from enablement.analytics.refresh import refresh as refresh_run
from enablement.analytics.runs import (  # noqa: F401  (current_run: read by the pages and the API)
    Steps,
    analyze,
    collector_paused,
    current_run,
    figures_write,
    first_uses,
    run_finish,
    run_transaction,
    watermark,
)

LOCK_KEY = "analytics:compute-lock"  # SQLite: a cache key
LOCK_SECONDS = 60 * 60
LOCK_ID = 0x616E616C  # PostgreSQL: the advisory lock's key ("anal"), one per database
days_quantiles = stage_figures.days_quantiles  # read by the funnel page
logger = logging.getLogger(__name__)


def analytics_compute(*, refresh: bool = False) -> AnalyticsRun | None:
    """Compute a full run (or refresh the current one) and make it current; None if another run is
    computing right now."""
    if sql.postgres():
        with _database_lock() as locked:
            return _run(refresh=refresh) if locked else None
    try:
        locked = cache.add(LOCK_KEY, "1", LOCK_SECONDS)
    except CACHE_ERRORS as exc:
        # Run without the lock rather than skip (SQLite, one process in development: its writes
        # queue anyway). Skipping would leave compute_analytics doing nothing while the cache is down.
        logger.warning(
            "Cache unreachable, analytics computed without the lock that keeps runs apart: %s", exc
        )
        return _run(refresh=refresh)
    if not locked:
        return None
    try:
        return _run(refresh=refresh)
    finally:
        try:
            cache.delete(LOCK_KEY)
        except CACHE_ERRORS as exc:
            logger.warning(
                "Cache unreachable, the analytics lock expires by itself in %d s: %s", LOCK_SECONDS, exc
            )


@contextmanager
def _database_lock() -> Iterator[bool]:
    """PostgreSQL: an advisory lock keeps runs apart, whatever the cache does. Two at once do not only
    waste work: a full run empties the working tables with TRUNCATE, which a refresh whose snapshot
    came first then reads as empty, and it writes figures made from nothing. (The cache lock that did
    this job was skipped while the cache was down.) Taken before the run's transaction, so its snapshot
    comes after the run before it committed; held until the run's rows are committed: the session's
    lock, let go after the run, or inside a caller's transaction the transaction's, which goes with
    its commit or rollback. Yields whether it was taken; a run never waits for another."""
    inside = connection.in_atomic_block
    take = "pg_try_advisory_xact_lock" if inside else "pg_try_advisory_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {take}(%s)", [LOCK_ID])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked and not inside:
            _database_unlock()


def _database_unlock() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
    except DatabaseError as exc:
        # The session broke: closing it makes sure no lock outlives it on the server.
        logger.warning("Analytics lock not released (%s); closing the database connection.", exc)
        connection.close()


def _run(*, refresh: bool) -> AnalyticsRun:
    """A refresh where one will do (enablement.analytics.refresh), otherwise a full run."""
    with collector_paused():
        return (refresh_run() if refresh else None) or _compute()


def _compute() -> AnalyticsRun:
    steps = Steps()
    now = timezone.now()
    mark = watermark(now)  # before the run's snapshot: see runs.watermark
    with run_transaction(parallel=True):
        run = AnalyticsRun.objects.create(computed_at=now, watermark=mark, mode="full")
        with steps("entries") as step:
            _working_tables_emptied()
            with _indexes_built_after(StageEntry):
                step["rows"] = cohort.entries_insert(run.pk)
            analyze(StageEntry)
        with steps("landmarks"):
            landmarks = cohort.landmarks_compute(run.pk, now)
        with steps("exposures") as step:
            if sql.postgres():
                step["rows"] = cohort.exposures_table_made(run.pk, landmarks)
            else:
                step["rows"] = cohort.exposures_insert(run.pk, landmarks)
            analyze(Exposure)
        with steps("reads") as step:
            step["rows"] = reads.reads_insert(run.pk, landmarks)
            analyze(ReadExposure)
        with steps("availability"):
            first_uses(run)
        figures_write(run, landmarks, steps)
        with steps("tidy"):
            _remove_older_runs(run)
        run_finish(run, steps)
    return run


WORKING = (Exposure, ReadExposure, StageEntry, FigureState)


def _working_tables_emptied() -> None:
    """A full run replaces every working row: the older runs' go first, in the run's transaction (so
    they are back if it fails), and on PostgreSQL by TRUNCATE, which costs nothing whatever their
    number (only analytics runs read these tables, one at a time)."""
    tables = [model._meta.db_table for model in WORKING]
    with connection.cursor() as cursor:
        if sql.postgres():
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


@contextmanager
def _indexes_built_after(model: type) -> Iterator[None]:
    """PostgreSQL: the model's key and indexes dropped while an empty table is filled and built after
    it, in one sorted pass each, instead of kept up to date row by row
    (docs/decisions/run-time-schema-changes.md)."""
    if not sql.postgres():
        yield
        return
    table, column = model._meta.db_table, model._meta.pk.column
    key = sql.primary_key(table)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {key}")
    with connection.schema_editor(atomic=False) as editor:
        for index in model._meta.indexes:
            editor.remove_index(model, index)
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {key} PRIMARY KEY ({column})")
    with connection.schema_editor(atomic=False) as editor:
        for index in model._meta.indexes:
            editor.add_index(model, index)


def _remove_older_runs(run: AnalyticsRun) -> None:
    older = list(
        AnalyticsRun.objects.filter(computed_at__lte=run.computed_at)
        .exclude(pk=run.pk)
        .values_list("pk", flat=True)
    )
    if not older:
        return
    AnalyticsRun.objects.filter(pk__in=older).delete()  # their working rows went first
