"""Every task of the enablement app, for the worker: Celery looks for `<app>.tasks`, and each package
keeps its own tasks in its own tasks module; importing them here registers them."""

from __future__ import annotations

from celery import shared_task

from config import lockout
from enablement.analytics.tasks import (
    analytics_digest,
    analytics_recompute,
    analytics_refresh_after_import,
    profile_apply,
)
from enablement.importers.tasks import import_run, import_runs_sweep
from enablement.rooms.summaries import visit_summary_send
from enablement.rooms.tasks import visits_close_idle, visits_purge
from enablement.usage.tasks import usage_counts_recount

__all__ = [
    "analytics_digest",
    "analytics_recompute",
    "analytics_refresh_after_import",
    "import_run",
    "import_runs_sweep",
    "profile_apply",
    "usage_counts_recount",
    "visit_summary_send",
    "visits_close_idle",
    "visits_purge",
]


@shared_task
def login_records_purge() -> int:
    """Daily: forget login records (their IP addresses and user agents) past their retention."""
    return lockout.login_records_purge()
