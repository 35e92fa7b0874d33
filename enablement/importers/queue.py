"""Queueing an import run for the worker: an upload in the admin, or a failed run again."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from config.outbox.services import enqueue
from enablement.choices import ImportStatus
from enablement.importers.models import ImportRun
from enablement.importers.tasks import import_run


def import_run_queue(run: ImportRun) -> None:
    """The worker runs it after the commit (at once without a broker)."""
    enqueue(import_run, run.pk)


def import_run_again(*, run: ImportRun, by: AbstractBaseUser | None) -> ImportRun:
    """A new run of a failed run's files and options, queued; the failed run stays as it was."""
    if run.status != ImportStatus.FAILED:
        raise ValidationError("Only a failed import can be run again.")
    again = ImportRun.objects.create(
        format=run.format,
        file=run.file.name,
        stage_map_file=run.stage_map_file.name,
        role_map_file=run.role_map_file.name,
        dry_run=run.dry_run,
        skip_invalid=run.skip_invalid,
        created_by=by,
        retry_of=run,
    )
    import_run_queue(again)
    return again
