"""Every minute (beat): the task that queues again the webhook deliveries whose next attempt is due
(services.deliveries_due_send). Apart from tasks.py, which services imports to queue deliveries."""

from __future__ import annotations

from celery import shared_task

from config.webhooks import services


# Named as when it lived in tasks.py, where beat's schedule finds it; registered in WebhooksConfig.ready.
@shared_task(name="config.webhooks.tasks.deliveries_due_send")
def deliveries_due_send_task() -> int:
    return services.deliveries_due_send()
