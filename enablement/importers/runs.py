"""Imports uploaded through the admin, run by a Celery task, with progress for the page to show."""

from __future__ import annotations

import contextlib
import logging
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.audit.services import audit_record
from config.cache_outage import CACHE_ERRORS, WarnNowAndThen
from enablement.choices import ImportStatus
from enablement.importers import ImportFailed, run_import, unexpected_error_message
from enablement.importers.liveness import heartbeat, worker_alive, worker_identity
from enablement.importers.models import ImportRun

PROGRESS_SECONDS = 6 * 60 * 60
WORKER_STOPPED = "The worker stopped (killed or restarted) during the import; nothing was written."
# A run whose worker died this many times (an import that kills its worker, out of memory) is not
# started again by a redelivered task; *Run again* in the admin still can.
MAX_ATTEMPTS = 3
logger = logging.getLogger(__name__)
# Progress is only shown, never needed: with the cache down an import runs to its end without it.
cache_warnings = WarnNowAndThen(logger)


def progress_key(run_id: int) -> str:
    return f"import-run:{run_id}:progress"


def import_run_progress(run: ImportRun) -> dict | None:
    """{"file", "done", "total", "percent"} of a running import, or None (also when the cache is down)."""
    try:
        return cache.get(progress_key(run.pk))
    except CACHE_ERRORS as exc:
        cache_warnings("Cache unreachable, import progress is not shown: %s", exc)
        return None


def _claim(run_id: int) -> ImportRun | None:
    """Take the run for this worker: a queued one, or a running one whose worker died (a redelivered
    task: nothing of it was written, so it starts again). None when there is nothing to do here: done,
    failed, or running in a live worker (a task delivered twice runs the import once)."""
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return None
        if run.status == ImportStatus.RUNNING and worker_alive(run, now=now):
            return None
        if run.attempts >= MAX_ATTEMPTS:
            _stopped(
                run, now, f"{WORKER_STOPPED} It stopped {run.attempts} times, so it was not started again."
            )
            return None
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.RUNNING,
            started_at=now,
            worker=worker_identity(),
            heartbeat_at=now,
            attempts=F("attempts") + 1,
        )
    run.refresh_from_db()
    return run


def _stopped(run: ImportRun, now, reason: str = "") -> int:
    """End a run whose worker died; 0 when it is no longer running in that worker."""
    return ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING, worker=run.worker).update(
        status=ImportStatus.FAILED, errors=reason or WORKER_STOPPED, counts={}, finished_at=now
    )


def import_runs_sweep(*, now=None) -> int:
    """End, as failed, every running import whose worker is gone (no heartbeat for
    IMPORT_WORKER_LOST_SECONDS, or its process no longer runs); returns how many. Run by beat each
    minute, and by the admin's import pages (with no broker there is no beat)."""
    now = now or timezone.now()
    running = ImportRun.objects.filter(status=ImportStatus.RUNNING)
    return sum(_stopped(run, now) for run in running if not worker_alive(run, now=now))


def import_run_execute(*, run_id: int) -> ImportRun | None:
    """Run an uploaded import in this worker; None when it is not this worker's to run."""
    run = _claim(run_id)
    if run is None:
        return None

    cache_up = True

    def progress(name: str, done: int, total: int) -> None:
        nonlocal cache_up
        if not cache_up:
            return  # it failed once in this import: no round trip per block read to a cache that is down
        percent = round(100 * done / total) if total else 100
        try:
            cache.set(
                progress_key(run.pk),
                {"file": name, "done": done, "total": total, "percent": percent},
                PROGRESS_SECONDS,
            )
        except CACHE_ERRORS as exc:
            cache_up = False
            cache_warnings("Cache unreachable, import #%s runs without showing progress: %s", run.pk, exc)

    with tempfile.TemporaryDirectory() as workdir, heartbeat(run.pk):
        try:
            # Storage may be remote: work on local copies named as uploaded (formats go by file name).
            data = _local_copy(run.file, Path(workdir))
            stage_map = _local_copy(run.stage_map_file, Path(workdir)) if run.stage_map_file else None
            role_map = _local_copy(run.role_map_file, Path(workdir)) if run.role_map_file else None
            report = run_import(
                run.format,
                data,
                dry_run=run.dry_run,
                skip_invalid=run.skip_invalid,
                stage_map=stage_map,
                role_map=role_map,
                progress=progress,
            )
        except ImportFailed as exc:
            run.status, run.errors, run.counts = ImportStatus.FAILED, str(exc), {}
        except Exception as exc:
            # Whatever went wrong, the run must end: a run left "running" is never retried or
            # finished. The transaction of run_import has rolled back, so nothing was written.
            logger.exception("Import run %s stopped on an unexpected error", run.pk)
            run.status, run.errors, run.counts = ImportStatus.FAILED, unexpected_error_message(exc), {}
        else:
            run.status = ImportStatus.FAILED if report.failed else ImportStatus.DONE
            run.counts = report.as_dict()
            extra = report.error_count - len(report.errors)
            run.errors = "\n".join(report.errors + ([f"… and {extra} more"] if extra > 0 else []))
    run.finished_at = timezone.now()
    # The outcome is the truth even if a sweep took this worker for lost meanwhile (its heartbeat held
    # up by an overloaded database): the import's transaction has committed or rolled back by now.
    run.save(update_fields=["status", "errors", "counts", "finished_at"])
    _audit(run)
    # Should the cache fail here, the entry expires by itself; the page shows the finished run anyway.
    with contextlib.suppress(CACHE_ERRORS):
        cache.delete(progress_key(run.pk))
    return run


def _audit(run: ImportRun) -> None:
    """The import's changes in the audit trail: what was created, updated, unchanged, rejected per file."""
    audit_record(
        event="import.finished",
        target=run,
        by=run.created_by,
        data={
            "format": run.format,
            "file": run.file.name.rsplit("/", 1)[-1],
            "status": run.status,
            "dry_run": run.dry_run,
            "counts": run.counts,
            "errors": run.errors[:2000],
        },
    )


def _local_copy(field, workdir: Path) -> Path:
    target = workdir / Path(field.name).name
    with field.open("rb") as source, target.open("wb") as out:
        for chunk in source.chunks():
            out.write(chunk)
    return target
