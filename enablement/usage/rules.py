"""The rules of a usage event and their wording, defined once: what makes a re-sent event the same, and
why an event is refused. The service's row-by-row dialect (enablement.usage.services) and the set-based
one (enablement.usage.bulk, for big batches and imports) both answer with these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone

from enablement.choices import UsageAction, UsageStatus

# What makes a re-sent event the same event: (stored column, the name senders know it by).
USAGE_CONTENT = [
    ("deal_id", "deal_id"),
    ("asset_id", "asset"),
    ("rep_id", "rep"),
    ("action", "action"),
    ("occurred_at", "occurred_at"),
]


@dataclass(frozen=True)
class UsageOutcome:
    """What became of one usage event: created, duplicate, or rejected with messages per field."""

    status: str  # a UsageStatus
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return " ".join(m for messages in self.errors.values() for m in messages)


ACTIONS = frozenset(UsageAction.values)  # built once: `.values` makes a new list on every call
CREATED, DUPLICATE = UsageOutcome(UsageStatus.CREATED), UsageOutcome(UsageStatus.DUPLICATE)


def rejected(field_name: str, message: str) -> UsageOutcome:
    return UsageOutcome(UsageStatus.REJECTED, {field_name: [message]})


def usage_after_close(
    *, deal_label: str, closed_at: datetime | None, occurred_at: datetime, stated: bool = True
) -> str | None:
    """Why usage at `occurred_at` is not recorded on a deal that closed at `closed_at`, or None.

    A closed deal takes only usage from before it closed; what comes after (a rep's late click, an
    integration's clock) would count toward a stage the deal has left. The deal's state when the event is
    recorded decides: usage that arrives before the history closing its deal is kept.
    """
    if closed_at is None or occurred_at < closed_at:
        return None
    when = timezone.localtime(closed_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    message = f"Deal {deal_label} closed on {when}; usage after that is not recorded."
    return message if stated else message[:-1] + " (an event without occurred_at happens now)."


def differences(stored: dict, sent: dict) -> list[str]:
    """The fields in which a sent event differs from the one recorded under its id (occurred_at only
    when the sender gave one: an event re-sent without a time is the same event)."""
    return [
        name
        for column, name in USAGE_CONTENT
        if (column != "occurred_at" or sent.get("occurred_at") is not None)
        and stored.get(column) != sent.get(column)
    ]


def usage_conflict_message(event_id: str, fields: list[str], *, earlier_in_batch: bool = False) -> str:
    """Why an event is refused whose id is recorded (or earlier in the batch) with other content; the
    importers' set-based path words its rejections with this too."""
    where = "appears earlier in this batch" if earlier_in_batch else "was already recorded"
    return (
        f"event_id {event_id!r} {where} with different content ({', '.join(fields)}); "
        "a recorded event is never changed."
    )


def different_content(event_id: str, fields: list[str], *, earlier_in_batch: bool = False) -> UsageOutcome:
    return rejected("event_id", usage_conflict_message(event_id, fields, earlier_in_batch=earlier_in_batch))


def refusal(event: dict) -> UsageOutcome | None:
    """An event refused on its own, whatever is recorded: an unknown action, a time without a zone."""
    if event["action"] not in ACTIONS:
        return rejected(
            "action", f"Unknown action {event['action']!r}; use one of {', '.join(UsageAction.values)}."
        )
    occurred_at = event.get("occurred_at")
    if occurred_at is not None and timezone.is_naive(occurred_at):
        return rejected("occurred_at", "Give the time with a time zone (or Z for UTC).")
    return None


def judged_outcome(
    verdict: str, event_id: str, deal_label: str, closed_at: datetime | None, differs: str, stated: bool
) -> UsageOutcome:
    """What a verdict of the set-based rules (enablement.usage.bulk.USAGE_VERDICTS) means for an event
    recorded before or earlier in the batch, or refused as after its deal closed: same, recorded
    differently, differs from earlier, closed."""
    if verdict == "same":
        return DUPLICATE
    if verdict == "closed":
        message = usage_after_close(
            deal_label=deal_label, closed_at=closed_at, occurred_at=closed_at, stated=stated
        )
        return rejected("occurred_at", message)
    earlier = verdict == "differs from earlier"
    return different_content(event_id, differs.split(", "), earlier_in_batch=earlier)
