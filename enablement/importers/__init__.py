"""CRM importers, one module per format, behind one entry point: run_import().

The whole import is one transaction: with a bad row (and no --skip-invalid) or --dry-run it is
rolled back, so the database is exactly as before.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from config.outbox.services import enqueue
from enablement.analytics.tasks import analytics_refresh_after_import
from enablement.importers import hubspot, native, salesforce
from enablement.importers.base import ImportFailed, ImportReport, Progress
from enablement.importers.committee import deals_fit_after_import
from enablement.importers.roles import role_map_load
from enablement.importers.stages import stage_map_load

FORMATS = {"native": native, "salesforce": salesforce, "hubspot": hubspot}

__all__ = ["FORMATS", "ImportFailed", "ImportReport", "run_import", "unexpected_error_message"]


def run_import(
    fmt: str,
    path: Path,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    stage_map: Path | None = None,
    role_map: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import CRM files; raises ImportFailed when the import cannot run at all."""
    if fmt not in FORMATS:
        raise ImportFailed(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    module = FORMATS[fmt]
    files = module.open_files(Path(path))
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    started, since = time.perf_counter(), timezone.now()
    with transaction.atomic():
        if stage_map is not None:
            stage_map_load(Path(stage_map), source=module.SOURCE)
        if role_map is not None:
            role_map_load(Path(role_map), source=module.SOURCE)
        module.run(files, report, progress)
        if dry_run or report.failed:
            transaction.set_rollback(True)
        else:
            if report.changed:  # deals, their stages or their committees: the fit follows them
                deals_fit_after_import(since=since, committee_deals=report.committee_deals)
            report.written = True
    report.seconds = time.perf_counter() - started
    if report.written and report.changed:
        # After commit, so the refresh sees the import (and never delays the import's answer). Without
        # a broker it runs here, at once: its own step, timed apart from the import.
        started = time.perf_counter()
        enqueue(analytics_refresh_after_import, countdown=30)
        if analytics_refresh_after_import.app.conf.task_always_eager and not connection.in_atomic_block:
            report.refresh_seconds = time.perf_counter() - started
    return report


def unexpected_error_message(exc: Exception) -> str:
    """One line for an error no importer expected (a bug, or the database gone): what it was, and
    that nothing was written; the traceback belongs in the server's log."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    detail = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return f"The import stopped on an unexpected error ({detail[:300]}); nothing was written."
