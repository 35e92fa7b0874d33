"""What a person has sent to buyers: share links and deal rooms in one list, read in one query.

Both kinds become rows of the same shape and are put together with a SQL UNION, so the list is
ordered (live first, newest first) and paged by the database however many links a rep has made.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, CharField, Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from assets.choices import AssetStatus
from enablement.deals.selectors import deals_visible_to
from enablement.rooms.models import CONFIRMED_VISITS, DealRoom, RoomItem
from enablement.sharing.models import ShareLink

STATUSES = {"live": "Live", "expired": "Expired", "withdrawn": "Withdrawn"}
KINDS = {"link": "Share links", "room": "Deal rooms"}
# The columns both kinds give, in this order (a UNION pairs them by position).
COLUMNS = (
    "kind",
    "item_id",
    "label",
    "deal_id",
    "deal_name",
    "sender",
    "created_at",
    "expires_at",
    "status",
    "live_rank",
    "opens",
    "last_opened",
)


def _status(*, unpublished: Q | None = None) -> Case:
    """The Lapsing rule (withdrawn, then expired), in SQL; a link whose asset was unpublished is
    withdrawn from the buyer too."""
    now = timezone.now()
    whens = [
        When(revoked_at__isnull=False, then=Value("withdrawn")),
        When(expires_at__lte=now, then=Value("expired")),
    ]
    if unpublished is not None:
        whens.append(When(unpublished, then=Value("unpublished")))
    return Case(*whens, default=Value("live"), output_field=CharField())


def _common(rows: QuerySet, *, kind: str, label, opens, last_opened, unpublished: Q | None = None):
    # No ordering of its own: SQLite refuses ORDER BY inside a UNION's parts.
    return (
        rows.order_by()
        .annotate(
            kind=Value(kind, output_field=CharField()),
            item_id=F("pk"),
            label=label,
            deal_name=F("deal__name"),
            sender=Coalesce(F("created_by__username"), Value("")),
            status=_status(unpublished=unpublished),
            opens=opens,
            last_opened=last_opened,
        )
        .annotate(
            live_rank=Case(When(status="live", then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .values(*COLUMNS)
    )


def sent_to_buyers(
    user: AbstractBaseUser, *, status: str = "", kind: str = "", q: str = ""
) -> QuerySet[dict]:
    """Share links and deal rooms of the deals the user may see (reps: their own deals), as dicts
    with COLUMNS: live ones first, then newest first. `opens` counts views of a link and confirmed
    visits of a room (a page that ran: previews and scanners are neither)."""
    deals = deals_visible_to(user).values("pk")
    links = ShareLink.objects.filter(deal__in=deals)
    rooms = DealRoom.objects.filter(deal__in=deals)
    for word in q.split():
        links = links.filter(Q(asset__title__icontains=word) | Q(deal__name__icontains=word))
        rooms = rooms.filter(Q(title__icontains=word) | Q(deal__name__icontains=word))
    links = _common(
        links,
        kind="link",
        label=F("asset__title"),
        opens=Count("views"),
        last_opened=Max("views__viewed_at"),
        unpublished=~Q(asset__status=AssetStatus.PUBLISHED),
    )
    rooms = _common(
        rooms,
        kind="room",
        label=F("title"),
        opens=Count("visits", filter=CONFIRMED_VISITS),
        last_opened=Max("visits__started_at", filter=CONFIRMED_VISITS),
    )
    if status == "withdrawn":  # the buyer can no longer open it, by the rep's hand or the asset's
        links, rooms = (r.filter(status__in=("withdrawn", "unpublished")) for r in (links, rooms))
    elif status:
        links, rooms = (r.filter(status=status) for r in (links, rooms))
    parts = {"link": links, "room": rooms}
    chosen = [parts[kind]] if kind in parts else list(parts.values())
    rows = chosen[0].union(*chosen[1:], all=True) if len(chosen) > 1 else chosen[0]
    return rows.order_by("live_rank", "-created_at", "kind", "-item_id")


def sent_items(rows: list[dict]) -> list[dict]:
    """The page's rows, each with `assets`: a room's asset titles in its order (one query for the
    page's rooms), a link's one asset."""
    room_ids = [row["item_id"] for row in rows if row["kind"] == "room"]
    titles: dict[int, list[str]] = defaultdict(list)
    for room_id, title in (
        RoomItem.objects.filter(room_id__in=room_ids).order_by("order").values_list("room_id", "asset__title")
    ):
        titles[room_id].append(title)
    return [
        {**row, "assets": titles[row["item_id"]] if row["kind"] == "room" else [row["label"]]} for row in rows
    ]
