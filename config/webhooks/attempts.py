"""One attempt at a webhook delivery: the signed POST, its outcome, and when to try again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from config.webhooks.models import Delivery, DeliveryStatus, PayloadFormat
from config.webhooks.sending import body_bytes, post

MAX_WAIT = timedelta(hours=4)
LOG_KEPT = 30


def payload(delivery: Delivery) -> dict:
    if delivery.endpoint.format == PayloadFormat.SLACK:
        return {"text": f"*{delivery.event_type}*: {delivery.summary}"}
    return {
        "id": str(delivery.event_id),
        "type": delivery.event_type,
        "created_at": delivery.event_at.isoformat(),
        "data": delivery.data,
    }


def retry_wait(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes (WEBHOOK_RETRY_SECONDS doubled per failure), at most four hours."""
    return min(timedelta(seconds=settings.WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1)), MAX_WAIT)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Send one delivery if it is due and nobody else is sending it; returns it, or None if not ours.
    `now` (tests) stands for the clock throughout."""
    clock = now
    now = now or timezone.now()
    due = Q(pk=delivery_id, status=DeliveryStatus.PENDING) & (
        Q(next_attempt_at__lte=now) | Q(next_attempt_at=None)
    )
    # Claimed by a conditional update, committed at once: two workers never send the same delivery, and
    # no transaction stays open while the receiver takes its time.
    if not Delivery.objects.filter(due).update(status=DeliveryStatus.SENDING, claimed_at=now):
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    outcome = post(
        url=endpoint.url,
        body=body_bytes(payload(delivery)),
        secret=endpoint.secret,
        headers={"Enablement-Event": delivery.event_type, "Enablement-Delivery": str(delivery.event_id)},
    )
    finished = clock or timezone.now()
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
    delivery.log = [
        *delivery.log,
        {"at": finished.isoformat(), "code": outcome.status_code, "error": outcome.error[:300]},
    ][-LOG_KEPT:]
    delivery.claimed_at = None
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.DELIVERED,
            finished,
            None,
        )
    else:
        wait = retry_wait(delivery.attempts)
        give_up = finished + wait > delivery.retrying_since + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
        if give_up or not endpoint.active:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, finished + wait
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "last_error",
            "log",
            "claimed_at",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery
