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

from enablement.analytics import cohort, exposure_changes, figures, reads, sql
from enablement.analytics.models import AnalyticsRun, AssetLastUse, StageEntry, StageMetric
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
from enablement.analytics.states import moment_of
from enablement.choices import ExposureKind

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
        used = f"SELECT deal_id FROM {TOUCHED} WHERE kind = 0"  # new usage or reading only: entries stand
        read = f"SELECT deal_id FROM {TOUCHED} WHERE kind = 0 AND reads = 1"
        with steps("entries") as step:
            scope = figures.Scope(stages=_entry_stages(run, rewritten))
            cohort.exposures_delete(run.pk, rewritten)
            reads.reads_delete(run.pk, _entries_of(run, rewritten))
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
            read_changes = reads.read_changes_written(run.pk, landmarks, read, kept, newly)
            step["rows"] += len(scope.changes) + len(read_changes)
            scope.stages |= moved | passed
            scope.pairs = {(c.asset_id, c.stage_id) for c in scope.changes}
            read_scope = figures.Scope(stages=set(scope.stages), kind=ExposureKind.READ, changes=read_changes)
            read_scope.pairs = {(c.asset_id, c.stage_id) for c in read_changes}
        with steps("availability"):
            run.availability = _first_uses_since(run, since)
            was = {int(a): datetime.fromisoformat(t) for a, t in run.available.items()}
            now_available = availability(run)
            scope.assets = {a for a in set(was) | set(now_available) if was.get(a) != now_available.get(a)}
            scope.was_available = was
            read_scope.assets, read_scope.was_available = set(scope.assets), was
        scopes = {ExposureKind.USED: scope, ExposureKind.READ: read_scope}
        figures_write(
            run, landmarks, steps, stages=history or bool(moved), scopes=scopes, available=now_available
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


def _entries_of(run: AnalyticsRun, deals: str) -> str:
    return f"SELECT id FROM {sql.tables()['entry']} WHERE run_id = {int(run.pk)} AND deal_id IN ({deals})"


def _touched_sql(since: datetime) -> tuple[str, list]:
    """Deals with rows recorded since `since`, with what came (kind; reads: 1 for a buyer's reading:
    a visit's batches move its `last_seen_at`)."""
    t = sql.tables()
    statement = (
        f"SELECT deal_id, 2 AS kind, 0 AS reads FROM {t['change']} WHERE recorded_at >= %s "
        f"UNION SELECT deal_id, 0, 0 FROM {t['usage']} WHERE recorded_at >= %s "
        f"UNION SELECT id, 1, 0 FROM {t['deal']} WHERE updated_at >= %s "
        f"UNION SELECT r.deal_id, 0, 1 FROM {t['visit']} v JOIN {t['room']} r ON r.id = v.room_id "
        "WHERE v.last_seen_at >= %s"
    )
    return statement, [sql.moment(since)] * 4


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
    1: the deal edited, 0: usage or reading only; `reads` 1 where a buyer read in its rooms); and
    whether any history came."""
    statement, params = _touched_sql(since)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TOUCHED} (deal_id BIGINT PRIMARY KEY, kind INTEGER, reads INTEGER)"
        )
        cursor.execute(
            f"INSERT INTO {TOUCHED} (deal_id, kind, reads) "
            f"SELECT deal_id, MAX(kind), MAX(reads) FROM ({statement}) t GROUP BY deal_id",
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
        entries = f"SELECT id FROM {t['entry']} WHERE run_id = {int(run.pk)} AND stage_id IN ({marks})"
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {t['exposure']} WHERE run_id = %s AND entry_id IN ({entries})", [run.pk]
            )
        reads.reads_delete(run.pk, entries)
        rows += _both_inserted(run, landmarks, f"e.stage_id IN ({marks})", [])
    if not kept:
        return rows, set()
    marks = ", ".join(str(int(s)) for s in kept)
    rows += _both_inserted(run, landmarks, f"e.deal_id IN ({rewritten}) AND e.stage_id IN ({marks})", [])
    passed, params = newly
    rows += _both_inserted(run, landmarks, f"({passed}) AND e.deal_id NOT IN ({rewritten})", params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT e.stage_id FROM {t['entry']} e WHERE e.run_id = %s AND ({passed})",
            [run.pk, *params],
        )
        return rows, {stage for (stage,) in cursor.fetchall()}


def _both_inserted(run: AnalyticsRun, landmarks: cohort.Landmarks, where: str, params: list) -> int:
    """The used and the read exposures of the run's entries at risk that `where` picks."""
    used = cohort.exposures_insert(run.pk, landmarks, where=where, params=params)
    return used + reads.reads_insert(run.pk, landmarks, where=where, params=params)


def _first_uses_since(run: AnalyticsRun, since: datetime) -> dict[str, str]:
    """The run's availability with the uses recorded since `since`; their assets' last uses moved on
    (AssetLastUse) from the same pass."""
    first = dict(run.availability)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT asset_id, MIN(occurred_at), MAX(occurred_at) FROM {sql.tables()['usage']} "
            "WHERE recorded_at >= %s GROUP BY asset_id",
            [sql.moment(since)],
        )
        rows = cursor.fetchall()
    for asset_id, used, _ in rows:
        used = iso(used)
        key = str(asset_id)
        if key not in first or datetime.fromisoformat(used) < datetime.fromisoformat(first[key]):
            first[key] = used
    _last_uses_moved(run, {asset_id: moment_of(last) for asset_id, _, last in rows})
    return first


def _last_uses_moved(run: AnalyticsRun, latest: dict[int, datetime]) -> None:
    """Each asset's stored last use, moved on to `latest` where that is later."""
    if not latest:
        return
    stored = AssetLastUse.objects.filter(run=run, asset_id__in=latest)
    for asset_id, last_used in stored.values_list("asset_id", "last_used"):
        latest[asset_id] = max(latest[asset_id], last_used)
    stored.delete()
    AssetLastUse.objects.bulk_create(
        AssetLastUse(run=run, asset_id=asset_id, last_used=last_used)
        for asset_id, last_used in latest.items()
    )
