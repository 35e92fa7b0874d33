"""Webhooks: endpoints, events emitted by the product's services, deliveries with retries."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from config.audit.services import audit_record
from config.outbox.services import enqueue
from config.webhooks.addresses import url_refusal
from config.webhooks.events import EVENTS, events_refusal
from config.webhooks.models import Delivery, DeliveryStatus, Endpoint, PayloadFormat
from config.webhooks.tasks import delivery_send

# A send that started this long ago and never finished (the worker died) is given back to the queue.
STUCK_AFTER = timedelta(minutes=10)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def endpoint_clean(*, url: str, events: list[str], format: str = PayloadFormat.JSON) -> None:
    """The rules for an endpoint, for the admin's form and the command alike."""
    problems = {}
    if refusal := url_refusal(url):
        problems["url"] = refusal
    if refusal := events_refusal(events):
        problems["events"] = refusal
    if format not in PayloadFormat.values:
        problems["format"] = f"Unknown format {format!r}; use {', '.join(PayloadFormat.values)}."
    if problems:
        raise ValidationError(problems)


def endpoint_add(
    *,
    url: str,
    events: list[str],
    secret: str = "",
    name: str = "",
    format: str = PayloadFormat.JSON,
    by=None,
) -> Endpoint:
    endpoint_clean(url=url, events=events, format=format)
    endpoint = Endpoint.objects.create(
        url=url.strip(),
        events=list(dict.fromkeys(events)),
        secret=secret or new_secret(),
        name=name,
        format=format,
    )
    audit_record(
        event="webhook.endpoint_added", target=endpoint, by=by, data={"url": endpoint.url, "events": events}
    )
    return endpoint


def _json_safe(data: dict) -> dict:
    import json

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def webhook_wanted(event: str) -> bool:
    """Whether any active endpoint takes `event`: callers skip building costly data when none does."""
    return any(
        event in events for events in Endpoint.objects.filter(active=True).values_list("events", flat=True)
    )


def webhook_emit(*, event: str, data: dict[str, Any], summary: str = "") -> int:
    """Queue `event` for every active endpoint subscribed to it, sent once the caller's transaction
    commits (nothing is sent for writes that roll back). Returns how many deliveries were queued."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}.")
    endpoints = [e for e in Endpoint.objects.filter(active=True).only("pk", "events") if event in e.events]
    if not endpoints:
        return 0
    now = timezone.now()
    first = Delivery(
        endpoint=endpoints[0],
        event_type=event,
        event_at=now,
        data=_json_safe(data),
        summary=summary or EVENTS[event],
        next_attempt_at=now,
        retrying_since=now,
    )
    deliveries = [first] + [
        Delivery(
            endpoint=endpoint,
            event_id=first.event_id,
            event_type=event,
            event_at=now,
            data=first.data,
            summary=first.summary,
            next_attempt_at=now,
            retrying_since=now,
        )
        for endpoint in endpoints[1:]
    ]
    Delivery.objects.bulk_create(deliveries)
    for delivery in Delivery.objects.filter(event_id=first.event_id).values_list("pk", flat=True):
        enqueue(delivery_send, delivery)
    return len(deliveries)


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


def delivery_send_again(*, delivery: Delivery) -> Delivery:
    """An admin's *Send again*: one more delivery of the same event (same id), now."""
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, retrying_since=now
    )
    enqueue(delivery_send, delivery.pk)
    delivery.refresh_from_db()
    return delivery
