"""Reads of deal rooms and what buyers read in them, with the deals' visibility rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, QuerySet

from assets.audience import for_buyers
from assets.models import Asset, AssetVersion
from assets.renditions.selectors import page_count_of, viewable_pdf
from assets.selectors import assets_visible_to
from enablement.deals.models import Deal
from enablement.deals.selectors import deals_visible_to
from enablement.rooms.models import (
    CONFIRMED_VISITS,
    BuyerNotification,
    DealRoom,
    PageView,
    RoomItem,
    Visit,
)

VISITS_ON_DEAL_PAGE = 30


def rooms_visible_to(user: AbstractBaseUser) -> QuerySet[DealRoom]:
    """Rooms of the deals the user may see (reps: their own deals)."""
    return DealRoom.objects.filter(deal__in=deals_visible_to(user).values("pk")).select_related("deal")


def with_visit_count(rooms: QuerySet[DealRoom]) -> QuerySet[DealRoom]:
    """Each room with `visit_count`: its confirmed visits (a page that ran), not bots' fetches."""
    return rooms.annotate(visit_count=Count("visits", filter=CONFIRMED_VISITS))


def live_rooms_of(user: AbstractBaseUser) -> list[DealRoom]:
    """Rooms the user may still add assets to: live, on their own open deals."""
    return [
        room
        for room in rooms_visible_to(user)
        .filter(deal__owner=user, deal__closed_at__isnull=True, revoked_at__isnull=True)
        .order_by("-created_at")
        if room.is_active()
    ]


def room_by_token(token: str) -> DealRoom | None:
    """The room behind a buyer's link; ask `unavailable_reason()` whether it is live."""
    if len(token) > 64:
        return None
    return (
        DealRoom.objects.select_related("deal__account", "deal__owner", "created_by")
        .filter(token=token)
        .first()
    )


def room_items_for_buyer(room: DealRoom) -> list[RoomItem]:
    """What the buyer sees: the room's published, shareable assets in the rep's order (an asset
    archived or marked internal after it was added drops out)."""
    return list(room.items.filter(for_buyers("asset__")).select_related("asset__current_version__rendition"))


def room_asset_for_buyer(room: DealRoom, asset_id: int) -> RoomItem | None:
    # `asset__pk`, not `asset_id`: an id too large for the column then matches nothing instead of
    # failing in the database driver.
    return (
        room.items.filter(for_buyers("asset__"), asset__pk=asset_id)
        .select_related("asset__current_version__rendition")
        .first()
    )


@dataclass
class AssetReading:
    asset: Asset
    seconds: float = 0.0
    pages: list[tuple[int, float]] = field(default_factory=list)


def _reading_by_visit(visit_ids: list[int]) -> dict[int, list[AssetReading]]:
    """Per visit, the assets read with their seconds and per-page seconds (one query)."""
    out: dict[int, dict[int, AssetReading]] = {}
    for view in (
        PageView.objects.filter(visit_id__in=visit_ids)
        .select_related("asset")
        .order_by("visit_id", "asset_id", "page")
    ):
        reading = out.setdefault(view.visit_id, {}).setdefault(view.asset_id, AssetReading(asset=view.asset))
        reading.seconds += view.seconds
        reading.pages.append((view.page, view.seconds))
    return {visit_id: list(by_asset.values()) for visit_id, by_asset in out.items()}


def visit_reading(visit: Visit) -> list[AssetReading]:
    return _reading_by_visit([visit.pk]).get(visit.pk, [])


@dataclass
class RoomEngagement:
    room: DealRoom
    items: list[RoomItem]
    visits: list[tuple[Visit, list[AssetReading]]]


def deal_engagement(deal: Deal) -> list[RoomEngagement]:
    """The deal's rooms, each with its items and its latest confirmed visits with per-asset and per-page
    seconds. A fixed number of queries, whatever the number of rooms and visits."""
    rooms = list(with_visit_count(deal.rooms.select_related("created_by")))
    items: dict[int, list[RoomItem]] = {}
    for item in RoomItem.objects.filter(room__in=rooms).select_related("asset__current_version__rendition"):
        items.setdefault(item.room_id, []).append(item)
    visits = list(
        Visit.objects.confirmed()
        .filter(room__in=rooms)
        .select_related("viewer")
        .order_by("-started_at")[:VISITS_ON_DEAL_PAGE]
    )
    reading = _reading_by_visit([v.pk for v in visits])
    by_room: dict[int, list[tuple[Visit, list[AssetReading]]]] = {}
    for visit in visits:
        by_room.setdefault(visit.room_id, []).append((visit, reading.get(visit.pk, [])))
    return [RoomEngagement(room=r, items=items.get(r.pk, []), visits=by_room.get(r.pk, [])) for r in rooms]


def notifications_for(user: AbstractBaseUser, *, limit: int = 10) -> list[BuyerNotification]:
    return list(
        BuyerNotification.objects.filter(recipient=user)
        .select_related("room__deal", "visit__viewer")
        .order_by("-created_at", "-pk")[:limit]
    )


def deal_notifications(deal: Deal, *, limit: int = 10) -> list[BuyerNotification]:
    return list(
        BuyerNotification.objects.filter(room__deal=deal)
        .select_related("room", "visit__viewer")
        .order_by("-created_at", "-pk")[:limit]
    )


def page_totals(visit: Visit, asset_id: int) -> dict[int, float]:
    """The seconds already recorded per page of one asset in this visit: the page starts from them."""
    return dict(visit.page_views.filter(asset_id=asset_id).values_list("page", "seconds"))


def published_assets_for_rooms(user: AbstractBaseUser) -> QuerySet[Asset]:
    return assets_visible_to(user).filter(for_buyers()).order_by("title").only("pk", "title")


@dataclass
class AssetEngagement:
    """How buyers read one asset in deal rooms."""

    rooms: int
    visits: int
    median_seconds: float | None
    pages: int  # the document's pages (the furthest page read when it cannot be counted)
    share_read: float | None  # mean over visits of the share of its pages read
    stops: list[tuple[int, int]]  # (furthest page read, visits that stopped there)

    @property
    def share_read_percent(self) -> int | None:
        return None if self.share_read is None else round(self.share_read * 100)

    @property
    def stops_percent(self) -> list[tuple[int, int, int]]:
        return [(page, n, round(100 * n / self.visits)) for page, n in self.stops]


@lru_cache(maxsize=256)
def _pdf_page_count(name: str) -> int:
    """Pages of a stored PDF (a version's file never changes under its name, so this is cached)."""
    from pypdf import PdfReader

    storage = AssetVersion._meta.get_field("file").storage
    try:
        with storage.open(name, "rb") as handle:
            return len(PdfReader(handle).pages)
    except Exception:  # unreadable or missing: the pages buyers reached stand in
        return 0


def has_pages(asset: Asset) -> bool:
    """Whether the asset is read in the page viewer: a PDF upload, or a rendition's PDF (decks,
    documents, Markdown)."""
    return viewable_pdf(asset) is not None


def page_total(asset: Asset) -> int:
    """The pages of what the viewer shows (a deck's slides too); 0 when not read page by page or when
    they cannot be counted."""
    if not has_pages(asset):
        return 0
    if counted := page_count_of(asset):
        return counted
    version = asset.current_version
    return _pdf_page_count(version.file.name) if version.file.name.lower().endswith(".pdf") else 0


def asset_engagement(asset: Asset) -> AssetEngagement:
    """Rooms holding the asset, the (confirmed) visits that read it, the median seconds a visit spent
    on it, the mean share of its pages a visit read, and the furthest page each visit reached (where
    readers stop). Per-visit figures come from one grouped query."""
    from statistics import median

    from django.db.models import Max, Sum

    per_visit = list(
        PageView.objects.filter(asset=asset, seconds__gt=0, visit__events__gt=0)
        .values("visit")
        .annotate(total=Sum("seconds"), furthest=Max("page"), read=Count("page"))
        .order_by()
    )
    rooms = RoomItem.objects.filter(asset=asset).count()
    furthest = max((row["furthest"] for row in per_visit), default=0)
    pages = max(page_total(asset), furthest)
    stops: dict[int, int] = {}
    for row in per_visit:
        stops[row["furthest"]] = stops.get(row["furthest"], 0) + 1
    return AssetEngagement(
        rooms=rooms,
        visits=len(per_visit),
        median_seconds=median(row["total"] for row in per_visit) if per_visit else None,
        pages=pages,
        share_read=(sum(min(row["read"], pages) / pages for row in per_visit) / len(per_visit))
        if per_visit and pages
        else None,
        stops=sorted(stops.items()),
    )
