"""Every write to deal rooms and their items, the rep's alert setting, and the erasing of buyers' data."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assets.audience import internal_refusal
from assets.choices import AssetStatus
from assets.models import Asset
from config.audit.services import audit_record
from enablement.choices import UsageAction, UsageSource
from enablement.deals.models import Deal
from enablement.rooms.models import (
    BuyerAlertSetting,
    DealRoom,
    EmailChallenge,
    RoomItem,
    Viewer,
    Visit,
)
from enablement.usage.rules import usage_after_close
from enablement.usage.services import usage_record


def room_refusal(*, deal: Deal, at: datetime | None = None) -> str | None:
    """Why a room cannot be made (or filled) for `deal` now: a closed deal takes no new material."""
    return usage_after_close(
        deal_label=deal.external_id, closed_at=deal.closed_at, occurred_at=at or timezone.now()
    )


def _domains_clean(raw: str) -> str:
    domains = [d.strip().lower().lstrip("@") for d in raw.replace(",", " ").split() if d.strip()]
    for domain in domains:
        if "." not in domain or not all(part.replace("-", "").isalnum() for part in domain.split(".")):
            raise ValidationError({"allowed_domains": f"“{domain}” is not a domain like example.com."})
    return " ".join(domains)


@transaction.atomic
def room_create(
    *,
    deal: Deal,
    by: AbstractBaseUser,
    title: str,
    note: str = "",
    days: int = 30,
    allow_download: bool = False,
    passcode: str = "",
    email_gate: bool = False,
    allowed_domains: str = "",
) -> DealRoom:
    """A deal room with no assets yet; the passcode is kept only as a password hash."""
    if problem := room_refusal(deal=deal):
        raise ValidationError(problem)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the room a title the buyer will see."})
    if not 1 <= days <= 365:
        raise ValidationError({"days": "A deal room lasts between 1 and 365 days."})
    domains = _domains_clean(allowed_domains)
    if domains and not email_gate:
        raise ValidationError({"allowed_domains": "Allowed domains need the email gate on."})
    room = DealRoom.objects.create(
        deal=deal,
        created_by=by,
        title=title[:200],
        note=note.strip(),
        expires_at=timezone.now() + timedelta(days=days),
        allow_download=allow_download,
        passcode_hash=make_password(passcode) if passcode else "",
        email_gate=email_gate,
        allowed_domains=domains,
    )
    audit_record(event="room.created", target=room, by=by, data={"deal": deal.external_id})
    return room


@transaction.atomic
def room_item_add(*, room: DealRoom, asset: Asset, by: AbstractBaseUser, reason: str = "") -> RoomItem:
    """Put a published, shareable asset at the end of a live room; putting it in the room counts as
    sharing it."""
    if asset.status != AssetStatus.PUBLISHED:
        raise ValidationError(f"“{asset}” is not published, so it cannot go in a deal room.")
    if problem := internal_refusal(asset):
        raise ValidationError(problem)
    if gone := room.unavailable_reason():
        raise ValidationError(f"This room is {gone}; make a new one.")
    if problem := room_refusal(deal=room.deal):
        raise ValidationError(problem)
    if room.items.filter(asset=asset).exists():
        raise ValidationError(f"“{asset}” is already in this room.")
    last = room.items.order_by("-order").values_list("order", flat=True).first()
    item = RoomItem.objects.create(room=room, asset=asset, order=(last or 0) + 1, reason=reason.strip()[:200])
    usage_record(
        event_id=f"room-item-{item.pk}",
        asset=asset,
        deal=room.deal,
        rep=by,
        action=UsageAction.SHARED,
        source=UsageSource.SHARE_LINK,
    )
    return item


def room_revoke(*, room: DealRoom, by: AbstractBaseUser | None = None) -> DealRoom:
    if room.revoked_at is None:
        room.revoked_at = timezone.now()
        room.save(update_fields=["revoked_at"])
        audit_record(event="room.withdrawn", target=room, by=by)
    return room


def emails_wanted(user: AbstractBaseUser | None) -> bool:
    if user is None or not user.email:
        return False
    setting = BuyerAlertSetting.objects.filter(user=user).first()
    return setting is None or setting.email_summaries


def alert_setting_set(*, user: AbstractBaseUser, email_summaries: bool) -> BuyerAlertSetting:
    setting, _ = BuyerAlertSetting.objects.update_or_create(
        user=user, defaults={"email_summaries": email_summaries}
    )
    return setting


@transaction.atomic
def viewer_erase(*, viewer: Viewer) -> int:
    """Erase one viewer's data: their visits, page times, notifications and email codes."""
    visits = viewer.visits.count()
    if viewer.email:
        EmailChallenge.objects.filter(room=viewer.room, email=viewer.email).delete()
    viewer.delete()
    return visits


@transaction.atomic
def visits_purge(*, older_than_days: int | None = None, now: datetime | None = None) -> int:
    """Delete visits older than the retention setting, and viewers left with none."""
    days = older_than_days if older_than_days is not None else settings.ROOM_VISIT_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    _, deleted = Visit.objects.filter(started_at__lt=cutoff).delete()
    Viewer.objects.filter(visits__isnull=True, first_seen_at__lt=cutoff).delete()
    EmailChallenge.objects.filter(expires_at__lt=cutoff).delete()
    return deleted.get(Visit._meta.label, 0)
