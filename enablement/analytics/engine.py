"""The analytics engine: CONTRACT section 3 computed in the database, statistics over the counts.

A full run, each step timed and stored on the run (`steps`, shown in the admin):
1. entries: each deal's first entry into each open stage with its outcome, resolution and days
   (enablement.analytics.cohort), then ANALYZE so the next steps are planned for its real size;
2. landmarks: each stage's landmark (its setting, or the 25th percentile of days to resolution);
3. exposures: for entries at risk at the landmark, the assets used before it (and those used only
   later), then ANALYZE;
4. availability: each asset's first recorded use;
5. figures: counts per stratum and medians from the working tables (enablement.analytics.figures);
6. tidy: older runs' working rows go.

A refresh (after an import or an API batch) brings the current run up to date in place
(enablement.analytics.refresh); many touched deals make it a full run. The pieces both are made of
(timed steps, the run's transaction, availability, writing the figures) are in
enablement.analytics.runs.

Each run is one transaction (REPEATABLE READ on PostgreSQL, so every step reads the same data, with
`work_mem` raised for it); readers see the previous figures until it commits. A cache lock keeps
two runs from computing at once (with the cache down, a run goes without it: see analytics_compute).
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from config.cache_outage import CACHE_ERRORS
from enablement.analytics import cohort, stage_figures
from enablement.analytics.models import AnalyticsRun, Exposure, FigureState, StageEntry
from enablement.analytics.refresh import refresh as refresh_run
from enablement.analytics.runs import (  # noqa: F401  (current_run: read by the pages and the API)
    Steps,
    analyze,
    current_run,
    figures_write,
    first_uses,
    run_finish,
    run_transaction,
    watermark,
)

LOCK_KEY = "analytics:compute-lock"
LOCK_SECONDS = 60 * 60
days_quantiles = stage_figures.days_quantiles  # read by the funnel page
logger = logging.getLogger(__name__)


def analytics_compute(*, refresh: bool = False) -> AnalyticsRun | None:
    """Compute a full run (or refresh the current one) and make it current; None if another run is
    computing right now."""
    try:
        locked = cache.add(LOCK_KEY, "1", LOCK_SECONDS)
    except CACHE_ERRORS as exc:
        # Run without the lock rather than skip. The lock only saves work: each run is written in one
        # transaction and only replaces older runs, so two at once cost time but never mix their
        # rows. Skipping would leave the nightly run, the after-import refresh and compute_analytics
        # doing nothing for as long as the cache is down.
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


def _run(*, refresh: bool) -> AnalyticsRun:
    """A refresh where one will do (enablement.analytics.refresh), otherwise a full run."""
    return (refresh_run() if refresh else None) or _compute()


def _compute() -> AnalyticsRun:
    steps = Steps()
    with run_transaction():
        now = timezone.now()
        run = AnalyticsRun.objects.create(computed_at=now, watermark=watermark(now), mode="full")
        with steps("entries") as step:
            step["rows"] = cohort.entries_insert(run.pk)
            analyze(StageEntry)
        with steps("landmarks"):
            landmarks = cohort.landmarks_compute(run.pk, now)
        with steps("exposures") as step:
            step["rows"] = cohort.exposures_insert(run.pk, landmarks)
            analyze(Exposure)
        with steps("availability"):
            run.availability = first_uses()
        figures_write(run, landmarks, steps)
        with steps("tidy"):
            _remove_older_runs(run)
        run_finish(run, steps)
    return run


def _remove_older_runs(run: AnalyticsRun) -> None:
    older = list(
        AnalyticsRun.objects.filter(computed_at__lte=run.computed_at)
        .exclude(pk=run.pk)
        .values_list("pk", flat=True)
    )
    if not older:
        return
    # Plain bulk deletes: the cohort tables are large and need no per-row cascade.
    marks = ", ".join(["%s"] * len(older))
    with connection.cursor() as cursor:
        for table in (Exposure._meta.db_table, StageEntry._meta.db_table, FigureState._meta.db_table):
            cursor.execute(f"DELETE FROM {table} WHERE run_id IN ({marks})", older)
    AnalyticsRun.objects.filter(pk__in=older).delete()
