from __future__ import annotations

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "config.outbox"
    label = "outbox"
    verbose_name = "Tasks waiting for the worker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import worker_ready

        from config.outbox.services import pending_tasks_send_at_worker_start

        worker_ready.connect(pending_tasks_send_at_worker_start, dispatch_uid="outbox-send-at-worker-start")
