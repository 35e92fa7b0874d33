"""Writing the audit trail: the product's events, and deleting what is past the retention period."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from config.audit.events import EVENTS

ACCESS_EVENTS = {"export.downloaded", "sign_in.succeeded", "sign_in.failed", "sign_in.refused", "sign_out"}


class _AuditEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, models.Model):  # an owner, a stage: as the admin names it
            return str(o)
        return super().default(o)


def _json(value: Any) -> Any:
    """Values as JSON keeps them (dates, decimals, ids and model instances as text), so an entry never
    fails to save."""
    return json.loads(json.dumps(value, cls=_AuditEncoder))


def audit_record(
    *,
    event: str,
    target: models.Model,
    by=None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    data: dict[str, Any] | None = None,
) -> LogEntry:
    """Write one of the product's events about `target`, done by `by` (a user) or, when None, by
    whoever the current request acts as (config.audit.context). `changes` maps a field to its
    (before, after); `data` is whatever else tells the story (counts, a file's name)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown audit event {event!r}.")
    if event.endswith(".created") or event == "user.provisioned":
        action = LogEntry.Action.CREATE
    elif event in ACCESS_EVENTS:
        action = LogEntry.Action.ACCESS
    else:
        action = LogEntry.Action.UPDATE
    fields = {}
    if by is not None and getattr(by, "is_authenticated", False):
        fields = {"actor": by, "actor_email": by.email or None}
    return LogEntry.objects.log_create(
        target,
        force_log=True,
        action=action,
        changes=_json({name: [before, after] for name, (before, after) in (changes or {}).items()}),
        additional_data=_json({"event": event, **(data or {})}),
        **fields,
    )


def audit_record_about(
    *, event: str, model: type[models.Model], by=None, data: dict | None = None
) -> LogEntry:
    """An event about a kind of thing rather than one of them (an export of every deal)."""
    return audit_record(event=event, target=ContentType.objects.get_for_model(model), by=by, data=data)


def audit_purge(*, now: datetime | None = None) -> int:
    """Delete entries older than AUDIT_RETENTION_DAYS (0 keeps them all); returns how many went."""
    days = settings.AUDIT_RETENTION_DAYS
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    if deleted:
        audit_record_about(
            event="audit.purged", model=LogEntry, data={"deleted": deleted, "before": cutoff, "days": days}
        )
    return deleted
