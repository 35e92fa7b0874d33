"""The webhooks' delivery task (services queue it); the beat task that queues due retries is in
retries.py."""

from __future__ import annotations

from celery import shared_task

from config.webhooks import attempts


@shared_task
def delivery_send(delivery_id: int) -> None:
    """Send one webhook delivery (queued after the commit of what it reports, or when a retry is due)."""
    attempts.delivery_attempt(delivery_id=delivery_id)
