"""Every write to deals, stage history, usage and share links goes through these functions.

The rules they keep: history rows are only ever added; a deal's current stage (and when it closed)
follows from its latest history row; a usage event's stage is the deal's stage at `occurred_at`,
recomputed whenever history at or before that moment changes.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from assets.choices import AssetStatus, StageOutcome
from assets.models import Asset, AssetVersion, FunnelStage
from enablement.choices import UsageAction, UsageSource
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
    """Record that a rep used an asset in a deal; returns (event, created).

    `event_id` makes it idempotent: an event sent again, even at the same moment from another
    process, is recorded once.
    """
    if action not in UsageAction.values:
        raise ValidationError(
            {"action": f"Unknown action {action!r}; use one of {', '.join(UsageAction.values)}."}
        )
    occurred_at = occurred_at or timezone.now()
    if timezone.is_naive(occurred_at):
        raise ValidationError({"occurred_at": "Give the time with a time zone (or Z for UTC)."})
    existing = UsageEvent.objects.filter(event_id=event_id).first()
    if existing is not None:
        return existing, False
    stage_at = _latest_change(deal.pk, before=occurred_at).values_list("stage", flat=True).first()
    try:
        with transaction.atomic():
            event = UsageEvent.objects.create(
                event_id=event_id,
                asset=asset,
                asset_version=version or asset.current_version,
                deal=deal,
                rep=rep,
                action=action,
                occurred_at=occurred_at,
                stage_id=stage_at,
                source=source,
            )
    except IntegrityError:
        # Another request recorded the same event between our check and insert.
        return UsageEvent.objects.get(event_id=event_id), False
    return event, True


@transaction.atomic
def share_link_create(
    *, asset: Asset, deal: Deal, by: AbstractBaseUser, days: int = 30, allow_download: bool = True
) -> ShareLink:
    """A tracked link to one asset for one deal's buyer; sharing counts as the rep using the asset."""
    if asset.status != AssetStatus.PUBLISHED:
        raise ValidationError(f"“{asset}” is not published, so it cannot be shared.")
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


def usage_record_many(*, events: list[dict]) -> set[str]:
    """Insert many validated usage events at once; returns the event ids that were new.

    One INSERT … ON CONFLICT (event_id) DO NOTHING RETURNING: an event id already stored, or sent at
    the same moment by another client, is counted once and only once, whoever wins the race. The
    stages of the new events are then set from the deals' history in one UPDATE.
    """
    if not events:
        return set()
    table = UsageEvent._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    rows, params = [], []
    for e in events:
        rows.append("(" + ", ".join(["%s"] * len(USAGE_COLUMNS)) + ")")
        params += [
            e["event_id"],
            e["asset_id"],
            e.get("asset_version_id"),
            e["deal_id"],
            e.get("rep_id"),
            e["action"],
            adapt(e["occurred_at"]),
            e.get("source", UsageSource.API),
            now,
        ]
    sql = (
        f"INSERT INTO {table} ({', '.join(USAGE_COLUMNS)}) VALUES {', '.join(rows)} "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        created = {row[0] for row in cursor.fetchall()}
        if created:
            usage_stages_recompute(UsageEvent.objects.filter(event_id__in=created))
    return created
