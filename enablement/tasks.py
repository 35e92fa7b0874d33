from __future__ import annotations

from celery import shared_task

from enablement.importers.runs import import_run_execute


@shared_task
def import_run(run_id: int) -> str:
    """Run an import uploaded through the admin."""
    return import_run_execute(run_id=run_id).status
