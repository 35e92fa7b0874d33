"""The one write path for usage events: `usage_record` for one, `usage_record_many` for a batch.

The portal, share links, the API (through enablement.usage.ingest) and every importer record usage
here. An event's stage is set from the deal's history (enablement.deals.history).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from assets.models import Asset, AssetVersion
from enablement import webhook_events
from enablement.choices import UsageSource, UsageStatus
from enablement.deals.models import Deal
from enablement.lookups import one_of
from enablement.usage import events as usage_events
from enablement.usage.bulk import COPY_FROM, usage_stage_batch, usage_values
from enablement.usage.counts import new_uses_count, usage_counts_refresh, use_counts_add
from enablement.usage.models import UsageEvent
from enablement.usage.rules import (
    CREATED,
    DUPLICATE,
    USAGE_CONTENT,
    UsageOutcome,
    differences,
    different_content,
    judged_outcome,
    refusal,
    rejected,
    usage_after_close,
)
from enablement.usage.stages import usage_stages_recompute


def usage_record(
    *,
    event_id: str,
    asset: Asset,
    deal: Deal,
    rep: AbstractBaseUser | None,
    action: str,
    occurred_at: datetime | None = None,
    source: str = UsageSource.PORTAL,
    version: AssetVersion | None = None,
) -> tuple[UsageEvent, bool]:
    """Record that a rep used an asset in a deal (at `occurred_at`, or now); returns (event, created).

    The rules are usage_record_many's: `event_id` makes it idempotent (sent again, even at the same
    moment from another process, it is recorded once); the same id with other content, or usage at or
    after the deal closed, is refused with a ValidationError.
    """
    (outcome,) = usage_record_many(
        events=[
            {
                "event_id": event_id,
                "asset_id": asset.pk,
                "asset_version_id": version.pk if version else asset.current_version_id,
                "deal_id": deal.pk,
                "rep_id": rep.pk if rep else None,
                "action": action,
                "occurred_at": occurred_at,
                "source": source,
            }
        ]
    )
    if outcome.status == UsageStatus.REJECTED:
        raise ValidationError(outcome.errors)
    return UsageEvent.objects.get(event_id=event_id), outcome.status == UsageStatus.CREATED


USAGE_COLUMNS = [
    "event_id",
    "asset_id",
    "asset_version_id",
    "deal_id",
    "rep_id",
    "action",
    "occurred_at",
    "source",
    "recorded_at",
]


def _first_look(
    event: dict, closed: dict[int, tuple[str, datetime]], now: datetime
) -> UsageOutcome | str | None:
    """An event judged on its own: a rejection, the after-close message (which an identical event
    already stored overrides), or None when it may be inserted."""
    if refused := refusal(event):
        return refused
    occurred_at = event.get("occurred_at")
    label, closed_at = closed.get(event["deal_id"], ("", None))
    return usage_after_close(
        deal_label=label,
        closed_at=closed_at,
        occurred_at=occurred_at or now,
        stated=occurred_at is not None,
    )


def _insert_new(events: list[dict], now: datetime) -> set[str]:
    """One INSERT … ON CONFLICT (event_id) DO NOTHING RETURNING; the ids that were new."""
    if not events:
        return set()
    adapt = connection.ops.adapt_datetimefield_value
    rows, params = [], []
    # Rows in event_id order, so concurrent batches take the unique index's locks in the same order
    # and cannot deadlock.
    for e in sorted(events, key=lambda e: e["event_id"]):
        rows.append("(" + ", ".join(["%s"] * len(USAGE_COLUMNS)) + ")")
        *values, occurred_at, source = usage_values(e, now)
        params += [*values, adapt(occurred_at), source, adapt(now)]
    sql = (
        f"INSERT INTO {UsageEvent._meta.db_table} ({', '.join(USAGE_COLUMNS)}) VALUES {', '.join(rows)} "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _repeat(
    event: dict, earlier: dict, its_outcome: UsageOutcome, stored: dict, created: set[str], now: datetime
) -> UsageOutcome:
    """An event_id mentioned again in the same batch, compared with what is recorded under it (or, if
    nothing is, with its first mention, whose fate it then shares)."""
    event_id = event["event_id"]
    recorded = event_id in created or event_id in stored
    reference = stored.get(event_id) or {**earlier, "occurred_at": earlier.get("occurred_at") or now}
    if fields := differences(reference, event):
        return different_content(event_id, fields, earlier_in_batch=not recorded)
    return DUPLICATE if recorded else its_outcome


def _first_mentions(
    events: list[dict], outcomes: list, now: datetime
) -> tuple[dict[str, int], dict[int, str]]:
    """Each event_id's first mention judged on its own (rejections go into `outcomes`): where each id
    is first mentioned, and the after-close messages of those that may only be duplicates."""
    closed = {
        pk: (external_id, closed_at)
        for pk, external_id, closed_at in Deal.objects.filter(
            **one_of("pk", {e["deal_id"] for e in events}), closed_at__isnull=False
        ).values_list("pk", "external_id", "closed_at")
    }
    first: dict[str, int] = {}
    after_close: dict[int, str] = {}
    for index, event in enumerate(events):
        if event["event_id"] in first:
            continue
        first[event["event_id"]] = index
        verdict = _first_look(event, closed, now)
        if isinstance(verdict, str):
            after_close[index] = verdict
        else:
            outcomes[index] = verdict
    return first, after_close


def _settled(
    event_id: str, event: dict, created: set[str], stored: dict[str, dict], after_close: str | None
) -> UsageOutcome:
    """A first mention after the INSERT: created, or compared with what is stored under its id."""
    if event_id in created:
        return CREATED
    if event_id not in stored:  # refused as after close (or deleted since it conflicted)
        return rejected("occurred_at", after_close) if after_close else DUPLICATE
    if fields := differences(stored[event_id], event):
        return different_content(event_id, fields)
    return DUPLICATE


@transaction.atomic
def usage_record_many(*, events: list[dict]) -> list[UsageOutcome]:
    """Record many usage events at once; returns what became of each, in the order given.

    Each event is a dict of USAGE_COLUMNS (`occurred_at` None or absent: now). It is *created*; a
    *duplicate* when its event_id is already recorded with the same deal, asset, rep, action and
    (when given) occurred_at, or appears earlier in the batch the same; or *rejected* with a message
    per field: the same event_id with different content, an unknown action, a time without a zone, or
    a time at or after its deal closed (see usage_after_close).

    New events go in with one INSERT … ON CONFLICT (event_id) DO NOTHING RETURNING: an event sent at
    the same moment by several clients is recorded once, whoever wins, and the others compare their
    content with what was stored. The stages of new events are then set from history in one UPDATE.
    """
    if not events:
        return []
    now = timezone.now()
    if connection.vendor == "postgresql" and len(events) >= COPY_FROM and not _any_naive(events):
        outcomes, created = _record_set_based(events, now)
        webhook_events.usage_recorded(set(created), events=UsageEvent.objects.all())
        # The counts last: every batch adds to the same assets' rows, whose locks are held to the commit.
        new_uses_count(Counter(created.values()))
        return outcomes
    outcomes: list[UsageOutcome | None] = [None] * len(events)
    first, after_close = _first_mentions(events, outcomes, now)
    new = [events[i] for i in first.values() if outcomes[i] is None and i not in after_close]
    created = _insert_new(new, now)
    unsettled = [events[i]["event_id"] for i in first.values() if outcomes[i] is None]
    stored = {
        row["event_id"]: row
        for row in UsageEvent.objects.filter(event_id__in=set(unsettled) - created).values(
            "event_id", *(column for column, _ in USAGE_CONTENT)
        )
    }
    for event_id, index in first.items():
        if outcomes[index] is None:
            outcomes[index] = _settled(event_id, events[index], created, stored, after_close.get(index))
    for index, event in enumerate(events):
        earlier = first[event["event_id"]]
        if earlier != index:
            outcomes[index] = _repeat(event, events[earlier], outcomes[earlier], stored, created, now)
    # The asset counts before the per-stage counts, as the set-based path and a recount write them:
    # concurrent batches on the same assets then take those rows' locks in the same order.
    use_counts_add(Counter(e["asset_id"] for e in new if e["event_id"] in created))
    if created:
        usage_stages_recompute(UsageEvent.objects.filter(event_id__in=created))
    webhook_events.usage_recorded(created, events=UsageEvent.objects.all())
    return outcomes


def _record_set_based(
    events: list[dict], now: datetime
) -> tuple[list[UsageOutcome], dict[str, tuple[int, int | None]]]:
    """usage_record_many's rules for a big batch in SQL (enablement.usage.bulk): the outcomes, and the
    event_id → (asset_id, stage_id) of the events created."""
    refusals = {i: r for i, e in enumerate(events) if (r := refusal(e))}
    verdicts = usage_stage_batch(events, set(refusals), now)
    created = {
        events[line]["event_id"]: (asset_id, stage_id)
        for line, *_, asset_id, stage_id in verdicts
        if asset_id is not None
    }
    first: dict[str, int] = {}
    outcomes: list[UsageOutcome] = []
    raced = []  # judged new, but recorded meanwhile by another client
    for line, verdict, deal_label, closed_at, first_stated, differs, *_ in verdicts:
        event_id = events[line]["event_id"]
        first.setdefault(event_id, line)
        if verdict == "no deal" and line not in refusals:  # as the row-by-row INSERT fails on the column
            raise IntegrityError(f"Usage event {event_id!r} names no deal.")
        if verdict == "new":
            outcomes.append(CREATED if event_id in created else DUPLICATE)
            if event_id not in created:
                raced.append(line)
        elif verdict in ("refused", "as first", "no deal"):  # refused, or a repeat of a refused event
            outcomes.append(refusals[first[event_id]])
        else:
            outcomes.append(judged_outcome(verdict, event_id, deal_label, closed_at, differs, first_stated))
    if raced:
        _settle_raced({events[i]["event_id"] for i in raced}, events, outcomes, set(created), now)
    return outcomes, created


def _any_naive(events: list[dict]) -> bool:
    """Whether a time without a zone is among the events: refused, and compared with its repeats as the
    service compares Python times (never equal to a time with a zone), which SQL cannot tell apart."""
    return any(e.get("occurred_at") is not None and timezone.is_naive(e["occurred_at"]) for e in events)


def _settle_raced(
    ids: set[str], events: list[dict], outcomes: list, created: set[str], now: datetime
) -> None:
    """Events judged new but recorded meanwhile by another client: each mention compared with what
    that client stored, as the row-by-row path compares them."""
    stored = {
        row["event_id"]: row
        for row in UsageEvent.objects.filter(event_id__in=ids).values(
            "event_id", *(column for column, _ in USAGE_CONTENT)
        )
    }
    first: dict[str, int] = {}
    for index, event in enumerate(events):
        event_id = event["event_id"]
        if event_id not in ids:
            continue
        if event_id not in first:
            first[event_id] = index
            outcomes[index] = _settled(event_id, event, created, stored, None)
        else:
            earlier = first[event_id]
            outcomes[index] = _repeat(event, events[earlier], outcomes[earlier], stored, created, now)


def usage_delete(*, events: QuerySet[UsageEvent]) -> int:
    """Delete usage events (the admin; a recorded use is otherwise never removed); returns how many."""
    assets = set(events.values_list("asset_id", flat=True))
    deleted, _ = events.delete()
    usage_counts_refresh(asset_ids=assets)
    usage_events.usage_deleted.send(sender=UsageEvent)
    return deleted
