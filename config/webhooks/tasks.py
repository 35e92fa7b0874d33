from __future__ import annotations

from celery import shared_task

from config.webhooks import services


@shared_task
def delivery_send(delivery_id: int) -> None:
    """Send one webhook delivery (queued after the commit of what it reports, or when a retry is due)."""
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task
def deliveries_due_send() -> int:
    """Every minute (beat): queue the webhook deliveries whose next attempt is due."""
    return services.deliveries_due_send()
