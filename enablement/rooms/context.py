"""What the deal, asset and home pages show of deal rooms (one call per page, a few queries)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from assets.models import Asset
from enablement.deals.models import Deal
from enablement.rooms import selectors
from enablement.rooms.forms import RoomForm
from enablement.rooms.services import emails_wanted

ASSET_CHOICES = 500


def for_deal(request: HttpRequest, deal: Deal) -> dict:
    engagement = selectors.deal_engagement(deal)
    for entry in engagement:
        entry.url = request.build_absolute_uri(reverse("room-buyer", args=[entry.room.token]))
    return {
        "rooms": engagement,
        "room_form": RoomForm() if deal.is_open else None,
        "room_assets": list(selectors.published_assets_for_rooms(request.user)[:ASSET_CHOICES]),
        "buyer_notifications": selectors.deal_notifications(deal),
    }


def for_asset(request: HttpRequest, asset: Asset) -> dict:
    return {"live_rooms": selectors.live_rooms_of(request.user)}


def for_home(request: HttpRequest) -> dict:
    return {
        "buyer_activity": selectors.notifications_for(request.user),
        "buyer_emails_on": emails_wanted(request.user) or not request.user.email,
    }
