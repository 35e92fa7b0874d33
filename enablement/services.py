"""Every write to deals, stage history, usage and share links goes through these functions.

The rules they keep: history rows are only ever added; a deal's current stage (and when it closed)
follows from its latest history row; a usage event's stage is the deal's stage at `occurred_at`,
recomputed whenever history at or before that moment changes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from assets.choices import AssetStatus, StageOutcome
from assets.models import Asset, AssetVersion, FunnelStage
from enablement.choices import UsageAction, UsageSource, UsageStatus
from enablement.models import Account, Deal, ShareLink, ShareView, StageChange, UsageEvent


def stage_change_key(stage: FunnelStage, entered_at: datetime) -> str:
    """The natural key of a history row for sources that give rows no id of their own."""
    return f"{stage.slug}@{entered_at.isoformat()}"


def _latest_change(deal_ref: OuterRef, *, before: OuterRef | None = None) -> QuerySet[StageChange]:
    changes = StageChange.objects.filter(deal=deal_ref)
    if before is not None:
        changes = changes.filter(entered_at__lte=before)
    return changes.order_by("-entered_at", "-pk")


def deals_state_recompute(deals: QuerySet[Deal]) -> None:
    """Set current_stage and closed_at of these deals from their latest history row (set-based)."""
    latest = _latest_change(OuterRef("pk"))
    deals.update(current_stage=Subquery(latest.values("stage")[:1]))
    ids = deals.values("pk")
    Deal.objects.filter(pk__in=ids).filter(current_stage__outcome=StageOutcome.OPEN).update(closed_at=None)
    Deal.objects.filter(pk__in=ids, current_stage__isnull=True).update(closed_at=None)
    Deal.objects.filter(pk__in=ids).exclude(current_stage__outcome=StageOutcome.OPEN).exclude(
        current_stage__isnull=True
    ).update(closed_at=Subquery(latest.values("entered_at")[:1]))


def usage_stages_recompute(events: QuerySet[UsageEvent]) -> int:
    """Set each event's stage to its deal's stage at occurred_at (set-based)."""
    at_that_time = _latest_change(OuterRef("deal_id"), before=OuterRef("occurred_at"))
    return events.update(stage=Subquery(at_that_time.values("stage")[:1]))


def account_upsert(
    *, source: str, external_id: str, name: str, industry: str = "", size: str = "", region: str = ""
) -> Account:
    account, _ = Account.objects.update_or_create(
        source=source,
        external_id=external_id,
        defaults={"name": name, "industry": industry, "size": size, "region": region},
    )
    return account


def deal_upsert(
    *,
    source: str,
    external_id: str,
    name: str,
    owner: AbstractBaseUser | None = None,
    account: Account | None = None,
    amount: Decimal | None = None,
    currency: str = "USD",
    created_at: datetime | None = None,
) -> tuple[Deal, bool]:
    """Create or update a deal by the source's id; returns (deal, created)."""
    if amount is not None and amount < 0:
        raise ValidationError({"amount": "A deal's amount cannot be negative."})
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError({"currency": f"{currency!r} is not a three-letter currency code."})
    defaults = {
        "name": name,
        "owner": owner,
        "account": account,
        "amount": amount,
        "currency": currency.upper(),
    }
    if created_at is not None:
        defaults["created_at"] = created_at
    return Deal.objects.update_or_create(source=source, external_id=external_id, defaults=defaults)


@transaction.atomic
def deal_stage_change(
    *, deal: Deal, stage: FunnelStage, entered_at: datetime, external_id: str | None = None
) -> tuple[StageChange, bool]:
    """Add a history row (in time order, whenever it arrives); returns (row, created).

    Sending the same row again is a no-op. A row that would rewrite an existing one is refused:
    history is never overwritten.
    """
    if timezone.is_naive(entered_at):
        raise ValidationError({"entered_at": "Give the time with a time zone (or Z for UTC)."})
    key = external_id or stage_change_key(stage, entered_at)
    existing = StageChange.objects.filter(deal=deal, external_id=key).first()
    if existing is not None:
        if existing.stage_id != stage.pk or existing.entered_at != entered_at:
            raise ValidationError(
                f"History row {key!r} of deal {deal.external_id} is already recorded "
                "differently; history is never rewritten."
            )
        return existing, False
    change = StageChange.objects.create(deal=deal, stage=stage, entered_at=entered_at, external_id=key)
    deals_state_recompute(Deal.objects.filter(pk=deal.pk))
    usage_stages_recompute(UsageEvent.objects.filter(deal=deal, occurred_at__gte=entered_at))
    deal.refresh_from_db(fields=["current_stage", "closed_at"])
    return change, True


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


def share_link_refusal(*, asset: Asset, deal: Deal, at: datetime | None = None) -> str | None:
    """Why `asset` cannot be shared in `deal` now, or None. Sharing counts as using the asset, so a
    closed deal refuses it as it refuses usage; forms ask this to show the reason on the form."""
    if asset.status != AssetStatus.PUBLISHED:
        return f"“{asset}” is not published, so it cannot be shared."
    return usage_after_close(
        deal_label=deal.external_id, closed_at=deal.closed_at, occurred_at=at or timezone.now()
    )


@transaction.atomic
def share_link_create(
    *, asset: Asset, deal: Deal, by: AbstractBaseUser, days: int = 30, allow_download: bool = True
) -> ShareLink:
    """A tracked link to one asset for one deal's buyer; sharing counts as the rep using the asset."""
    if problem := share_link_refusal(asset=asset, deal=deal):
        raise ValidationError(problem)
    if not 1 <= days <= 365:
        raise ValidationError({"days": "A share link lasts between 1 and 365 days."})
    link = ShareLink.objects.create(
        asset=asset,
        deal=deal,
        created_by=by,
        allow_download=allow_download,
        expires_at=timezone.now() + timedelta(days=days),
    )
    usage_record(
        event_id=f"share-link-{link.pk}",
        asset=asset,
        deal=deal,
        rep=by,
        action=UsageAction.SHARED,
        occurred_at=link.created_at,
        source=UsageSource.SHARE_LINK,
    )
    return link


def share_link_revoke(*, link: ShareLink, by: AbstractBaseUser | None = None) -> ShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def viewer_hash(address: str) -> str:
    """A keyed hash of the viewer's address: repeat views can be told apart, the address is not kept."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def share_view_record(*, link: ShareLink, viewer_address: str, at: datetime | None = None) -> ShareView:
    at = at or timezone.now()
    if reason := link.unavailable_reason(at):
        raise ValidationError(f"This link is no longer live ({reason}).")
    return ShareView.objects.create(link=link, viewed_at=at, viewer_hash=viewer_hash(viewer_address))


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


def _rejected(field_name: str, message: str) -> UsageOutcome:
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


def _differences(stored: dict, sent: dict) -> list[str]:
    """The fields in which a sent event differs from the one recorded under its id (occurred_at only
    when the sender gave one: an event re-sent without a time is the same event)."""
    return [
        name
        for column, name in USAGE_CONTENT
        if (column != "occurred_at" or sent.get("occurred_at") is not None)
        and stored.get(column) != sent.get(column)
    ]


def _different_content(event_id: str, fields: list[str], *, earlier_in_batch: bool = False) -> UsageOutcome:
    where = "appears earlier in this batch" if earlier_in_batch else "was already recorded"
    return _rejected(
        "event_id",
        f"event_id {event_id!r} {where} with different content ({', '.join(fields)}); "
        "a recorded event is never changed.",
    )


def _first_look(
    event: dict, closed: dict[int, tuple[str, datetime]], now: datetime
) -> UsageOutcome | str | None:
    """An event judged on its own: a rejection, the after-close message (which an identical event
    already stored overrides), or None when it may be inserted."""
    if event["action"] not in ACTIONS:
        return _rejected(
            "action", f"Unknown action {event['action']!r}; use one of {', '.join(UsageAction.values)}."
        )
    occurred_at = event.get("occurred_at")
    if occurred_at is not None and timezone.is_naive(occurred_at):
        return _rejected("occurred_at", "Give the time with a time zone (or Z for UTC).")
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
        params += [
            e["event_id"],
            e["asset_id"],
            e.get("asset_version_id"),
            e["deal_id"],
            e.get("rep_id"),
            e["action"],
            adapt(e.get("occurred_at") or now),
            e.get("source", UsageSource.API),
            adapt(now),
        ]
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
    if fields := _differences(reference, event):
        return _different_content(event_id, fields, earlier_in_batch=not recorded)
    return DUPLICATE if recorded else its_outcome


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
    closed = {
        pk: (external_id, closed_at)
        for pk, external_id, closed_at in Deal.objects.filter(
            pk__in={e["deal_id"] for e in events}, closed_at__isnull=False
        ).values_list("pk", "external_id", "closed_at")
    }
    outcomes: list[UsageOutcome | None] = [None] * len(events)
    first: dict[str, int] = {}  # event_id → where it is first mentioned
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
        if outcomes[index] is not None:
            continue
        if event_id in created:
            outcomes[index] = CREATED
        elif event_id not in stored:  # refused as after close (or deleted since it conflicted)
            outcomes[index] = (
                _rejected("occurred_at", after_close[index]) if index in after_close else DUPLICATE
            )
        elif fields := _differences(stored[event_id], events[index]):
            outcomes[index] = _different_content(event_id, fields)
        else:
            outcomes[index] = DUPLICATE
    for index, event in enumerate(events):
        earlier = first[event["event_id"]]
        if earlier != index:
            outcomes[index] = _repeat(event, events[earlier], outcomes[earlier], stored, created, now)
    if created:
        usage_stages_recompute(UsageEvent.objects.filter(event_id__in=created))
    return outcomes
