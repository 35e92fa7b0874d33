from __future__ import annotations

from celery import shared_task

from config import lockout
from enablement.buyers.tasks import profile_apply
from enablement.importers.runs import import_run_execute
from enablement.importers.runs import import_runs_sweep as runs_sweep
from enablement.rooms.tasks import visit_summary_send, visits_close_idle, visits_purge

__all__ = [
    "profile_apply",
    "visit_summary_send",
    "visits_close_idle",
    "visits_purge",
]  # registered with the worker here


@shared_task
def import_run(run_id: int) -> str | None:
    """Run an import uploaded through the admin (None: not this worker's to run, see the runs module)."""
    run = import_run_execute(run_id=run_id)
    return run.status if run else None


@shared_task
def login_records_purge() -> int:
    """Daily: forget login records (their IP addresses and user agents) past their retention."""
    return lockout.login_records_purge()


@shared_task
def import_runs_sweep() -> int:
    """Every minute: end, as failed, the imports whose worker stopped during the import."""
    return runs_sweep()


@shared_task
def analytics_recompute() -> int | None:
    """Nightly (and on demand): the full analytics run; None when another run was computing."""
    from enablement.analytics.engine import analytics_compute

    run = analytics_compute()
    return run.pk if run else None


@shared_task
def analytics_refresh_after_import() -> int | None:
    """After an import wrote something (and every few minutes, for API batches): bring the current
    run up to date with the rows recorded since it, touching only those deals (a full run when there
    are many). While a run computes, others are skipped; the next refresh picks up what they missed."""
    from enablement.analytics.engine import analytics_compute

    run = analytics_compute(refresh=True)
    return run.pk if run else None


@shared_task
def analytics_digest() -> int:
    """Weekly: email the funnel, top and bottom assets, new gaps and stalled deals to the leads."""
    from enablement.analytics.digest import digest_send

    return digest_send()
