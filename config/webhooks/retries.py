"""Every minute (beat): the webhook deliveries whose next attempt is due are queued again."""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from config.outbox.services import enqueue
from config.webhooks.models import Delivery, DeliveryStatus
from config.webhooks.tasks import delivery_send

# A send that started this long ago and never finished (the worker died) is given back to the queue.
STUCK_AFTER = timedelta(minutes=10)


def deliveries_due_send(*, now: datetime | None = None) -> int:
    """Every minute (beat): queue the deliveries whose next attempt is due; give back stuck ones."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        status=DeliveryStatus.PENDING, claimed_at=None, next_attempt_at=now
    )
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )[:1000]
    )
    with transaction.atomic():
        for delivery_id in due:
            enqueue(delivery_send, delivery_id)
    return len(due)


# Named as when it lived in tasks.py, where beat's schedule finds it; registered in WebhooksConfig.ready.
@shared_task(name="config.webhooks.tasks.deliveries_due_send")
def deliveries_due_send_task() -> int:
    return deliveries_due_send()
