"""Reading the audit trail: one row per entry, as the admin and the export show it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from auditlog.models import LogEntry

from config.audit.events import EVENTS

EXPORT_COLUMNS = [
    "time",
    "event",
    "action",
    "who",
    "via",
    "object_type",
    "object_id",
    "object",
    "changes",
    "details",
    "address",
]
DETAIL_KEYS_SHOWN_ELSEWHERE = {"event", "via", "via_name"}


def entry_event(entry: LogEntry) -> str:
    """The product event's name, or what auditlog saw (`create`, `update`, `delete`)."""
    data = entry.additional_data or {}
    return data.get("event") or entry.get_action_display()


def entry_via(entry: LogEntry) -> str:
    data = entry.additional_data or {}
    via = data.get("via", "user" if entry.actor_id else "system")
    return f"{via}: {data['via_name']}" if data.get("via_name") else via


def entry_who(entry: LogEntry) -> str:
    if entry.actor_id is not None and entry.actor is not None:
        return entry.actor.get_username()
    if entry.actor_email:
        return entry.actor_email  # the user has been deleted since
    return entry_via(entry)


def entry_details(entry: LogEntry) -> dict:
    data = entry.additional_data or {}
    return {key: value for key, value in data.items() if key not in DETAIL_KEYS_SHOWN_ELSEWHERE}


def event_label(name: str) -> str:
    return EVENTS.get(name, name)


def entries_since(*, since: datetime, until: datetime | None = None) -> Iterator[LogEntry]:
    """Entries from `since` (inclusive) to `until` (exclusive), oldest first, read in batches."""
    entries = LogEntry.objects.filter(timestamp__gte=since)
    if until is not None:
        entries = entries.filter(timestamp__lt=until)
    return (
        entries.select_related("actor", "content_type").order_by("timestamp", "pk").iterator(chunk_size=2000)
    )


def export_row(entry: LogEntry) -> list:
    import json

    return [
        entry.timestamp.isoformat(),
        entry_event(entry),
        entry.get_action_display(),
        entry_who(entry),
        entry_via(entry),
        f"{entry.content_type.app_label}.{entry.content_type.model}",
        entry.object_pk,
        entry.object_repr,
        json.dumps(entry.changes, sort_keys=True) if entry.changes else "",
        json.dumps(entry_details(entry), sort_keys=True) if entry_details(entry) else "",
        entry.remote_addr or "",
    ]
