"""The importers' worker tasks, thin: each calls the runs module. Their names are the ones beat and
the outbox have always used (registered through enablement.tasks)."""

from __future__ import annotations

from celery import shared_task

from enablement.importers import runs


@shared_task(name="enablement.tasks.import_run")
def import_run(run_id: int) -> str | None:
    """Run an import uploaded through the admin (None: not this worker's to run, see the runs module)."""
    run = runs.import_run_execute(run_id=run_id)
    return run.status if run else None


@shared_task(name="enablement.tasks.import_runs_sweep")
def import_runs_sweep() -> int:
    """Every minute: end, as failed, the imports whose worker stopped during the import."""
    return runs.import_runs_sweep()
