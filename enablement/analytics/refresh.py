"""A refresh (after an import or an API batch) brings the current run up to date in place: it
rewrites the entries and exposures of the deals with new history or edits since the run's watermark,
adds or moves the exposures the new uses of other deals make (enablement.analytics.exposure_changes),
adds the exposures of entries whose landmark has passed since, rebuilds a stage whose landmark
moved, and recomputes only the figures that can have changed, moving by difference those it can
(enablement.analytics.delta; enablement.analytics.engine)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from enablement.analytics import cohort, exposure_changes, figures, sql
from enablement.analytics.models import AnalyticsRun, StageEntry, StageMetric
from enablement.analytics.runs import (
    Steps,
    availability,
    current_run,
    figures_write,
    funnel,
    iso,
    run_finish,
    run_transaction,
    watermark,
)

TOUCHED = "analytics_touched"


def refresh() -> AnalyticsRun | None:
    """The current run brought up to date, or None when only a full run will do."""
    run = current_run()
    if (
        run is None
        or run.watermark is None  # also: a deal deleted since (runs.full_run_needed)
        or run.funnel != funnel()
        # Unlogged on PostgreSQL: after a crash the working rows are gone and only a full run helps.
        or not StageEntry.objects.filter(run=run).exists()
        or _touched_estimate(run.watermark) > _refresh_limit(run)
    ):
        return None
    steps = Steps()
    now, since, before = timezone.now(), run.watermark, run.computed_at
    mark = watermark(now)  # before the run's snapshot: see runs.watermark
    with run_transaction():
        run.computed_at, run.watermark, run.mode = now, mark, "refresh"
        with steps("touched deals") as step:
            step["rows"], history = _touched_table(since)
        rewritten = f"SELECT deal_id FROM {TOUCHED} WHERE kind > 0"  # new history or a deal edit
        used = f"SELECT deal_id FROM {TOUCHED} WHERE kind = 0"  # new usage only: entries stand
        with steps("entries") as step:
            scope = figures.Scope(stages=_entry_stages(run, rewritten))
            cohort.exposures_delete(run.pk, rewritten)
            cohort.entries_delete(run.pk, rewritten)
            step["rows"] = cohort.entries_insert(run.pk, deals=rewritten)
            scope.stages |= _entry_stages(run, rewritten)
        with steps("landmarks"):
            landmarks, moved = _landmarks_again(run, now, history)
        with steps("exposures") as step:
            kept = [s for s, days in landmarks.days.items() if days is not None and s not in moved]
            newly = _newly_at_risk(landmarks, kept, before)
            step["rows"], passed = _exposures_again(run, landmarks, moved, kept, newly, rewritten)
            scope.changes = exposure_changes.changes_written(run.pk, landmarks, since, used, kept, newly)
            step["rows"] += len(scope.changes)
            scope.stages |= moved | passed
            scope.pairs = {(c.asset_id, c.stage_id) for c in scope.changes}
        with steps("availability"):
            run.availability = _first_uses_since(run, since)
            was = {int(a): datetime.fromisoformat(t) for a, t in run.available.items()}
            now_available = availability(run)
            scope.assets = {a for a in set(was) | set(now_available) if was.get(a) != now_available.get(a)}
            scope.was_available = was
        figures_write(
            run, landmarks, steps, stages=history or bool(moved), scope=scope, available=now_available
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {TOUCHED}")
        run_finish(run, steps, since=since)
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


def _newly_at_risk(landmarks: cohort.Landmarks, kept: list[int], before: datetime) -> tuple[str, list]:
    """SQL over entries `e` (and its parameters): the entries of these stages whose landmark has
    passed since the run was last computed (`before`), so they joined the cohort at risk since."""
    passed, params = [], []
    for stage_id in kept:
        gone = timedelta(days=landmarks.days[stage_id])
        passed.append("(e.stage_id = %s AND e.entered_at > %s AND e.entered_at <= %s)")
        params += [stage_id, sql.moment(before - gone), sql.moment(landmarks.as_of - gone)]
    return " OR ".join(passed), params


def _exposures_again(
    run: AnalyticsRun,
    landmarks: cohort.Landmarks,
    moved: set[int],
    kept: list[int],
    newly: tuple[str, list],
    rewritten: str,
) -> tuple[int, set[int]]:
    """Exposures of the deals whose entries were written again, of every entry of a stage whose
    landmark moved, and of the other entries newly at risk (`newly`); and the stages of those
    entries (their cohort at risk grew). The other exposures of deals with new uses follow from those
    uses (enablement.analytics.exposure_changes)."""
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
    if not kept:
        return rows, set()
    marks = ", ".join(str(int(s)) for s in kept)
    rows += cohort.exposures_insert(
        run.pk, landmarks, where=f"e.deal_id IN ({rewritten}) AND e.stage_id IN ({marks})"
    )
    passed, params = newly
    rows += cohort.exposures_insert(
        run.pk, landmarks, where=f"({passed}) AND e.deal_id NOT IN ({rewritten})", params=params
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT e.stage_id FROM {t['entry']} e WHERE e.run_id = %s AND ({passed})",
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
            used = iso(used)
            key = str(asset_id)
            if key not in first or datetime.fromisoformat(used) < datetime.fromisoformat(first[key]):
                first[key] = used
    return first
