from __future__ import annotations

import uuid

from django.db import models


class PayloadFormat(models.TextChoices):
    JSON = "json", "JSON (signed)"
    SLACK = "slack", "Slack incoming webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class Endpoint(models.Model):
    """A URL that receives the events it subscribes to, each signed with its secret."""

    name = models.CharField(max_length=100, blank=True, help_text="What receives them, e.g. “CRM sync”.")
    url = models.URLField(
        max_length=2000, help_text="http(s) only; private addresses need WEBHOOK_ALLOW_PRIVATE."
    )
    events = models.JSONField(default=list, help_text="The event types sent to this URL.")
    secret = models.CharField(max_length=200, help_text="Signs each delivery (Enablement-Signature header).")
    format = models.CharField(max_length=8, choices=PayloadFormat.choices, default=PayloadFormat.JSON)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.name or self.url


class Delivery(models.Model):
    """One event for one endpoint: sent after commit, retried with growing waits for about a day."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, editable=False, help_text="The same for every endpoint.")
    event_type = models.CharField(max_length=50)
    event_at = models.DateTimeField()
    data = models.JSONField(default=dict)
    summary = models.TextField(blank=True, help_text="One line, for chat formats.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retrying_since = models.DateTimeField(help_text="Retries stop WEBHOOK_RETRY_HOURS after this.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    log = models.JSONField(default=list, blank=True, help_text="Each attempt: time, response code, error.")

    class Meta:
        ordering = ["-event_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="delivery_one_per_endpoint_event")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"
