from __future__ import annotations

from typing import Any

from celery import Task

from config.outbox.models import PendingTask


def task_pending(task: Task, *args: Any) -> bool:
    """Whether `task` with exactly these arguments is waiting for the broker to be reachable."""
    return PendingTask.objects.filter(task=task.name, args=list(args)).exists()
