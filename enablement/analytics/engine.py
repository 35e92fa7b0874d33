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

A refresh (after an import or an API batch) brings the current run up to date in place: it
rewrites the entries and exposures of the deals with rows recorded since the run's watermark, adds
the exposures of entries whose landmark has passed since, rebuilds a stage whose landmark moved,
and recomputes the figures from the working tables; many touched deals make it a full run.

Each run is one transaction (REPEATABLE READ on PostgreSQL, so every step reads the same data, with
`work_mem` raised for it); readers see the previous figures until it commits. A cache lock keeps
two runs from computing at once (with the cache down, a run goes without it: see analytics_compute).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assets.models import Asset
from config.cache_outage import CACHE_ERRORS
from enablement.analytics import cohort, figures, sql
from enablement.analytics.models import AnalyticsRun, Exposure, StageEntry, StageMetric
from enablement.deals.models import Deal
from enablement.usage.models import UsageEvent

LOCK_KEY = "analytics:compute-lock"
LOCK_SECONDS = 60 * 60
TOUCHED = "analytics_touched"
BEFORE = "analytics_exposures_before"
days_quantiles = figures.days_quantiles  # read by the funnel page
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
        return _refresh() if refresh else _compute()
    if not locked:
        return None
    try:
        return _refresh() if refresh else _compute()
    finally:
        try:
            cache.delete(LOCK_KEY)
        except CACHE_ERRORS as exc:
            logger.warning(
                "Cache unreachable, the analytics lock expires by itself in %d s: %s", LOCK_SECONDS, exc
            )


class Steps:
    """Each step's seconds and rows, in order."""

    def __init__(self) -> None:
        self.done: list[dict] = []
        self.started = time.perf_counter()

    @contextmanager
    def __call__(self, name: str) -> Iterator[dict]:
        record = {"step": name, "rows": None}
        started = time.perf_counter()
        yield record
        record["seconds"] = round(time.perf_counter() - started, 4)
        self.done.append(record)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


@contextmanager
def _run_transaction() -> Iterator[None]:
    """One transaction with one snapshot (PostgreSQL: REPEATABLE READ, work_mem raised for it)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if sql.postgres():
            with connection.cursor() as cursor:
                if outermost:  # only the first statement of a transaction may set its isolation
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.ANALYTICS_WORK_MEM])
        yield


def _watermark(now: datetime) -> datetime:
    """Rows recorded before this are all visible to the run: it goes back past the oldest other open
    transaction on PostgreSQL (a long import), and by a margin for clocks."""
    oldest = now
    if sql.postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT MIN(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            started = cursor.fetchone()[0]
        oldest = min(oldest, started) if started else oldest
    return oldest - timedelta(seconds=settings.ANALYTICS_REFRESH_OVERLAP)


def _compute() -> AnalyticsRun:
    steps = Steps()
    with _run_transaction():
        now = timezone.now()
        run = AnalyticsRun.objects.create(computed_at=now, watermark=_watermark(now), mode="full")
        with steps("entries") as step:
            step["rows"] = cohort.entries_insert(run.pk)
            _analyze(StageEntry)
        with steps("landmarks"):
            landmarks = cohort.landmarks_compute(run.pk, now)
        with steps("exposures") as step:
            step["rows"] = cohort.exposures_insert(run.pk, landmarks)
            _analyze(Exposure)
        with steps("availability"):
            run.availability = _first_uses()
        _figures(run, landmarks, steps)
        with steps("tidy"):
            _remove_older_runs(run)
        _finish(run, steps)
    return run


def _analyze(model: type) -> None:
    # SQLite plans these joins well without statistics; PostgreSQL needs them (see README).
    if sql.postgres():
        sql.analyze(model._meta.db_table)


def _first_uses() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT asset_id, MIN(occurred_at) FROM {sql.tables()['usage']} GROUP BY asset_id")
        return {str(a): _iso(t) for a, t in cursor.fetchall()}


def _iso(value: datetime | str) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment.isoformat()


def _availability(run: AnalyticsRun) -> dict[int, datetime]:
    """The earlier of each asset's published date and its first recorded use."""
    available = {int(a): datetime.fromisoformat(t) for a, t in run.availability.items()}
    for asset_id, published in Asset.objects.exclude(published_at=None).values_list("pk", "published_at"):
        available[asset_id] = min(published, available.get(asset_id, published))
    return available


def _figures(
    run: AnalyticsRun,
    landmarks: cohort.Landmarks,
    steps: Steps,
    *,
    stages: bool = True,
    scope: figures.Scope | None = None,
) -> None:
    if stages:  # the scorecard follows from history and landmarks only
        with steps("stage figures") as step:
            step["rows"] = len(figures.stage_metrics_write(run, landmarks))
    with steps("asset figures") as step:
        step["rows"] = figures.asset_metrics_write(run, landmarks, _availability(run), scope)


def _finish(run: AnalyticsRun, steps: Steps) -> None:
    run.complete, run.finished_at = True, timezone.now()
    run.deals = Deal.objects.count()
    run.usage_events = UsageEvent.objects.count()
    run.seconds = steps.seconds
    run.steps = steps.done
    run.save()


def _refresh() -> AnalyticsRun:
    run = current_run()
    if (
        run is None
        or run.watermark is None
        # Unlogged on PostgreSQL: after a crash the working rows are gone and only a full run helps.
        or not StageEntry.objects.filter(run=run).exists()
        or _touched_estimate(run.watermark) > _refresh_limit(run)
    ):
        return _compute()
    steps = Steps()
    with _run_transaction():
        now, since, before = timezone.now(), run.watermark, run.computed_at
        run.computed_at, run.watermark, run.mode = now, _watermark(now), "refresh"
        with steps("touched deals") as step:
            step["rows"], history = _touched_table(since)
        touched = f"SELECT deal_id FROM {TOUCHED}"
        rewritten = f"SELECT deal_id FROM {TOUCHED} WHERE kind > 0"  # new history or a deal edit
        with steps("entries") as step:
            scope = figures.Scope(stages=_entry_stages(run, rewritten))
            _exposures_kept(run, touched)
            cohort.exposures_delete(run.pk, touched)
            cohort.entries_delete(run.pk, rewritten)
            step["rows"] = cohort.entries_insert(run.pk, deals=rewritten)
            scope.stages |= _entry_stages(run, rewritten)
        with steps("landmarks"):
            landmarks, moved = _landmarks_again(run, now, history)
        with steps("exposures") as step:
            step["rows"], passed = _exposures_again(run, landmarks, moved, before, touched)
            scope.stages |= moved | passed
            scope.pairs = _exposures_changed(run, touched)
        with steps("availability"):
            first = _first_uses_since(run, since)
            scope.assets = {int(a) for a, t in first.items() if run.availability.get(a) != t}
            scope.assets |= set(Asset.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
            run.availability = first
        _figures(run, landmarks, steps, stages=history or bool(moved), scope=scope)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {TOUCHED}")
        _finish(run, steps)
    return run


def _entry_stages(run: AnalyticsRun, deals: str) -> set[int]:
    """The stages these deals have entries in: their at-risk counts change with the deals."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT stage_id FROM {sql.tables()['entry']} "
            f"WHERE run_id = %s AND deal_id IN ({deals})",
            [run.pk],
        )
        return {stage for (stage,) in cursor.fetchall()}


def _exposures_kept(run: AnalyticsRun, deals: str) -> None:
    """The touched deals' exposures before the refresh, to compare with them after it."""
    t = sql.tables()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BEFORE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {BEFORE} AS SELECT x.asset_id, e.stage_id, x.entry_id, x.in_window "
            f"FROM {t['entry']} e JOIN {t['exposure']} x ON x.run_id = e.run_id AND x.entry_id = e.id "
            f"WHERE e.run_id = %s AND e.deal_id IN ({deals})",
            [run.pk],
        )


def _exposures_changed(run: AnalyticsRun, deals: str) -> set[tuple[int, int]]:
    """The (asset, stage) pairs whose exposures in the touched deals differ from before the refresh
    (an exposure came, went, or moved before or after the landmark): only their figures change, with
    the stages whose cohort changed."""
    t = sql.tables()
    now = (
        f"SELECT x.asset_id, e.stage_id, x.entry_id, x.in_window FROM {t['entry']} e "
        f"JOIN {t['exposure']} x ON x.run_id = e.run_id AND x.entry_id = e.id "
        f"WHERE e.run_id = %s AND e.deal_id IN ({deals})"
    )
    before = f"SELECT asset_id, stage_id, entry_id, in_window FROM {BEFORE}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT asset_id, stage_id FROM ({now} EXCEPT {before}) a "
            f"UNION SELECT DISTINCT asset_id, stage_id FROM ({before} EXCEPT {now}) b",
            [run.pk, run.pk],
        )
        changed = set(cursor.fetchall())
        cursor.execute(f"DROP TABLE {BEFORE}")
    return changed


def _touched_sql(since: datetime) -> tuple[str, list]:
    t = sql.tables()
    statement = (
        f"SELECT deal_id, 2 AS kind FROM {t['change']} WHERE recorded_at >= %s "
        f"UNION SELECT deal_id, 0 FROM {t['usage']} WHERE recorded_at >= %s "
        f"UNION SELECT id, 1 FROM {t['deal']} WHERE updated_at >= %s"
    )
    return statement, [sql.moment(since)] * 3


def _touched_estimate(since: datetime) -> int:
    statement, params = _touched_sql(since)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT deal_id) FROM ({statement}) t", params)
        return cursor.fetchone()[0]


def _refresh_limit(run: AnalyticsRun) -> int:
    """Past this many touched deals a full run costs about as much as a refresh and is simpler."""
    return max(settings.ANALYTICS_REFRESH_MAX_DEALS, run.deals // 10)


def _touched_table(since: datetime) -> tuple[int, bool]:
    """A temporary table of the deals with rows recorded since `since` and their kind (2: new history,
    1: the deal edited, 0: usage only); and whether any history came."""
    statement, params = _touched_sql(since)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {TOUCHED} (deal_id BIGINT PRIMARY KEY, kind INTEGER)")
        cursor.execute(
            f"INSERT INTO {TOUCHED} (deal_id, kind) "
            f"SELECT deal_id, MAX(kind) FROM ({statement}) t GROUP BY deal_id",
            params,
        )
        cursor.execute(f"SELECT COUNT(*), COALESCE(MAX(kind), 0) FROM {TOUCHED}")
        count, kind = cursor.fetchone()
        if sql.postgres():
            cursor.execute(f"ANALYZE {TOUCHED}")
    return count, kind == 2


def _landmarks_again(run: AnalyticsRun, now: datetime, history: bool) -> tuple[cohort.Landmarks, set[int]]:
    """The landmarks as a full run would find them, and the stages whose landmark moved. Without new
    history the quartiles stand and only a changed setting can move a landmark."""
    stored = {m.stage_id: m for m in StageMetric.objects.filter(run=run)}
    quartiles = None
    if not history:
        quartiles = {s: m.resolution_p25 for s, m in stored.items() if m.resolution_p25 is not None}
    landmarks = cohort.landmarks_compute(run.pk, now, quartiles=quartiles)
    moved = {s for s, days in landmarks.days.items() if s not in stored or stored[s].landmark_days != days}
    return landmarks, moved


def _exposures_again(
    run: AnalyticsRun, landmarks: cohort.Landmarks, moved: set[int], before: datetime, touched: str
) -> tuple[int, set[int]]:
    """Exposures of the touched deals, of every entry of a stage whose landmark moved, and of entries
    whose landmark has passed since the run was last computed; and the stages of those entries (their
    cohort at risk grew)."""
    t = sql.tables()
    rows = 0
    if moved:
        marks = ", ".join(str(int(s)) for s in moved)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {t['exposure']} WHERE run_id = %s AND entry_id IN "
                f"(SELECT id FROM {t['entry']} WHERE run_id = %s AND stage_id IN ({marks}))",
                [run.pk, run.pk],
            )
        rows += cohort.exposures_insert(run.pk, landmarks, where=f"e.stage_id IN ({marks})")
    kept = [s for s, days in landmarks.days.items() if days is not None and s not in moved]
    if not kept:
        return rows, set()
    marks = ", ".join(str(int(s)) for s in kept)
    rows += cohort.exposures_insert(
        run.pk, landmarks, where=f"e.deal_id IN ({touched}) AND e.stage_id IN ({marks})"
    )
    passed, params = [], []
    for stage_id in kept:
        gone = timedelta(days=landmarks.days[stage_id])
        passed.append("(e.stage_id = %s AND e.entered_at > %s AND e.entered_at <= %s)")
        params += [stage_id, sql.moment(before - gone), sql.moment(landmarks.as_of - gone)]
    rows += cohort.exposures_insert(
        run.pk, landmarks, where=f"({' OR '.join(passed)}) AND e.deal_id NOT IN ({touched})", params=params
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT e.stage_id FROM {t['entry']} e WHERE e.run_id = %s AND ({' OR '.join(passed)})",
            [run.pk, *params],
        )
        return rows, {stage for (stage,) in cursor.fetchall()}


def _first_uses_since(run: AnalyticsRun, since: datetime) -> dict[str, str]:
    first = dict(run.availability)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT asset_id, MIN(occurred_at) FROM {sql.tables()['usage']} WHERE recorded_at >= %s "
            "GROUP BY asset_id",
            [sql.moment(since)],
        )
        for asset_id, used in cursor.fetchall():
            used = _iso(used)
            key = str(asset_id)
            if key not in first or datetime.fromisoformat(used) < datetime.fromisoformat(first[key]):
                first[key] = used
    return first


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
        for table in (Exposure._meta.db_table, StageEntry._meta.db_table):
            cursor.execute(f"DELETE FROM {table} WHERE run_id IN ({marks})", older)
    AnalyticsRun.objects.filter(pk__in=older).delete()


def current_run() -> AnalyticsRun | None:
    return AnalyticsRun.objects.filter(complete=True).order_by("-computed_at").first()
