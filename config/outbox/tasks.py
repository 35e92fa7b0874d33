from __future__ import annotations

from celery import shared_task

from config.outbox import services


@shared_task
def pending_tasks_send() -> int:
    """Every minute (beat): send the tasks that could not be queued while the broker was down."""
    return services.pending_tasks_send()
