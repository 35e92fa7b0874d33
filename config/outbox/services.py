"""Queue tasks without ever failing the request; keep what the broker refused and send it later."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from django.db.models import F
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from config.celery_app import app
from config.outbox.models import PendingTask

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached: kombu wraps the transport's errors in
# OperationalError; refused connections and timeouts are OSError; redis-py's own are RedisError.
BROKER_ERRORS = (OperationalError, OSError, RedisError)
SEND_BATCH = 500


def enqueue(task: Task, *args: Any, countdown: int | None = None, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits (at once outside one).

    The task is first written as a PendingTask in the caller's transaction (the outbox), so it is
    kept if and only if the caller's writes are: should the process die between the commit and the
    publish, beat sends it later. After the commit it is published and its row deleted; if the broker
    cannot be reached, the row stays with the reason and the caller carries on. Arguments must be JSON.
    """
    if task.app.conf.task_always_eager:
        # No broker (`make run`, tests): the task runs in-process after commit and its errors surface.
        transaction.on_commit(lambda: _publish(task, list(args), kwargs, countdown))
        return
    row = PendingTask.objects.create(
        task=task.name, args=list(args), kwargs=kwargs, countdown=countdown, attempts=0
    )
    transaction.on_commit(lambda: _send_one(task, row.pk))


def pending_tasks_send(*, limit: int = SEND_BATCH) -> int:
    """Send the pending tasks, oldest first; returns how many were sent.

    Rows are locked and locked ones skipped (PostgreSQL), so two workers starting at once never send
    the same row, and a row is deleted in the transaction that sent it. (Should that commit fail, the
    task is sent again later; every queued task is safe to run twice.) The first broker error ends the
    round: the other rows would fail the same way.
    """
    sent = 0
    app.loader.import_default_modules()  # every app's tasks.py, as a worker imports them at start
    with transaction.atomic():
        for row in PendingTask.objects.select_for_update(skip_locked=True).order_by("pk")[:limit]:
            task = app.tasks.get(row.task)
            if task is None:
                _note_failure(row, f"No task named {row.task!r} is registered; delete this row.")
                continue
            try:
                _publish(task, row.args, row.kwargs, row.countdown)
            except BROKER_ERRORS as exc:
                _note_failure(row, _reason(exc))
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("Sent %d task(s) that were waiting for the worker.", sent)
    return sent


def pending_tasks_send_at_worker_start(sender=None, **kwargs) -> None:
    """celery's worker_ready: a worker starting after an outage takes what waited for it at once."""
    try:
        pending_tasks_send()
    except Exception:
        # Never keep a worker from starting (the database may be down as well); beat tries each minute.
        logger.exception("Could not send the tasks waiting for the worker; beat will try again.")


def _send_one(task: Task, row_id: int) -> None:
    """Publish one outbox row right after its transaction committed, unless a sender has it already."""
    with transaction.atomic():
        row = PendingTask.objects.select_for_update(skip_locked=True).filter(pk=row_id).first()
        if row is None:
            return  # beat or a starting worker is sending it (or has sent it)
        try:
            _publish(task, row.args, row.kwargs, row.countdown)
        except BROKER_ERRORS as exc:
            logger.warning(
                "Broker unreachable; %s%r waits for the worker: %s", task.name, tuple(row.args), exc
            )
            _note_failure(row, _reason(exc))
            return
        row.delete()


def _publish(task: Task, args: list, kwargs: dict, countdown: int | None) -> None:
    # Nobody reads these tasks' results. Asking for none also keeps apply_async from subscribing to
    # the Redis result backend, which retries for ~20 s when Redis is down.
    task.apply_async(args, kwargs, countdown=countdown, ignore_result=True)


def _note_failure(row: PendingTask, reason: str) -> None:
    PendingTask.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=reason)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
