"""Internal material never reaches a buyer: no share or room action on its page, every direct path
(share, room, their admin form, the API) refused with a clear message and nothing stored, and an asset
marked internal after it was shared disappears from its links and rooms, the rep told why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assets.choices import AssetKind
from assets.models import Asset, FunnelStage
from assets.services import asset_create, asset_update
from enablement.deals.history import deal_stage_change
from enablement.models import RoomItem, ShareLink, UsageEvent
from enablement.rooms import services as rooms
from enablement.sharing.services import share_link_create
from tests.enablement.rooms.conftest import make_room
from tests.enablement.share_links import add_link
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db
INTERNAL = "is internal only, so it cannot be shared with a buyer or put in a deal room"


@pytest.fixture
def deal(rep):
    deal = DealFactory(owner=rep, name="Globex platform", external_id="G-1")
    proposal = FunnelStage.objects.get(slug="proposal")
    deal_stage_change(deal=deal, stage=proposal, entered_at=timezone.now() - timedelta(days=2))
    return deal


@pytest.fixture
def battlecard(marketer):
    asset = asset_create(
        title="Insight Edge vs. the incumbent battlecard",
        kind=AssetKind.BATTLECARD,
        external_url="https://x.example",
    )
    from assets.services import asset_publish

    return asset_publish(asset=asset)


def test_battlecards_start_internal_and_other_kinds_shareable():
    assert asset_create(title="Card", kind=AssetKind.BATTLECARD).audience == "internal"
    assert asset_create(title="Deck", kind=AssetKind.DECK).audience == "external"
    assert asset_create(title="Card 2", kind=AssetKind.BATTLECARD, audience="external").audience == "external"


def test_the_migration_marks_existing_battlecards_internal():
    from importlib import import_module

    from django.apps import apps

    card = AssetFactory(kind=AssetKind.BATTLECARD, audience="external")
    deck = AssetFactory(kind=AssetKind.DECK, audience="external")
    import_module("assets.migrations.0005_asset_audience").battlecards_internal(apps, None)
    assert Asset.objects.get(pk=card.pk).audience == "internal"
    assert Asset.objects.get(pk=deck.pk).audience == "external"


def test_an_internal_battlecard_offers_no_share_or_room_action(client, rep, deal, battlecard):
    rooms.room_create(deal=deal, by=rep, title="Globex room")
    client.force_login(rep)
    page = client.get(reverse("asset-detail", args=[battlecard.slug])).text
    assert "Internal only" in page and "never shared with buyers" in page
    assert reverse("asset-share", args=[battlecard.slug]) not in page
    assert 'action="/rooms/items/"' not in page and ">Add to deal room<" not in page
    assert "Log use in a deal" in page  # reps still use it in their deals
    deal_page = client.get(reverse("deal-detail", args=[deal.pk])).text
    assert f">{battlecard.title}</option>" not in deal_page


def test_direct_posts_to_share_and_room_are_refused_and_store_nothing(client, rep, deal, battlecard):
    room = rooms.room_create(deal=deal, by=rep, title="Globex room")
    client.force_login(rep)
    share = client.post(
        reverse("asset-share", args=[battlecard.slug]), {"deal": deal.pk, "days": 30, "allow_download": "on"}
    )
    assert share.status_code == 400 and INTERNAL in share.text
    added = client.post(
        reverse("room-item-add"), {"room": room.pk, "asset": battlecard.pk, "reason": "x"}, follow=True
    )
    assert INTERNAL in added.text
    assert not ShareLink.objects.exists() and not RoomItem.objects.exists()
    assert not UsageEvent.objects.exists()


def test_the_admin_refuses_a_share_link_to_an_internal_asset(client, admin_user, deal, battlecard):
    client.force_login(admin_user)
    response = add_link(client, asset=battlecard, deal=deal)
    assert response.status_code == 200 and INTERNAL in response.text
    assert not ShareLink.objects.exists()


def test_the_api_refuses_an_internal_asset_reported_shared_and_stores_nothing(rep, deal, battlecard):
    client = APIClient()
    client.force_authenticate(rep)
    event = {"event_id": "e1", "deal_id": "G-1", "asset": battlecard.slug, "action": "shared"}
    body = client.post("/api/v1/usage-events/", event, format="json").json()
    assert body["rejected"] == 1 and INTERNAL in body["results"][0]["errors"]["asset"][0]
    assert not UsageEvent.objects.exists()
    presented = {**event, "event_id": "e2", "action": "presented"}
    assert client.post("/api/v1/usage-events/", presented, format="json").json()["created"] == 1


def test_the_api_reads_and_sets_the_audience(marketer):
    client = APIClient()
    client.force_authenticate(marketer)
    created = client.post("/api/v1/assets/", {"title": "Card", "kind": "battlecard"}, format="json").json()
    assert created["audience"] == "internal"
    changed = client.patch(f"/api/v1/assets/{created['slug']}/", {"audience": "external"}, format="json")
    assert changed.json()["audience"] == "external"
    bad = client.patch(f"/api/v1/assets/{created['slug']}/", {"audience": "buyers"}, format="json")
    assert bad.status_code == 400 and "audience" in bad.json()


def test_an_asset_turned_internal_after_sharing_disappears_for_the_buyer(client, rep, deal):
    proposal = AssetFactory(title="Globex proposal")
    other = AssetFactory(title="Security overview")
    link = share_link_create(asset=proposal, deal=deal, by=rep)
    room = make_room(rep=rep, deal=deal, assets=[proposal, other])
    asset_update(asset=proposal, data={"audience": "internal"})

    assert client.get(reverse("buyer-view", args=[link.token])).status_code == 410
    assert client.get(reverse("buyer-file", args=[link.token])).status_code == 410
    room_page = client.get(reverse("room-buyer", args=[room.token])).text
    assert "Security overview" in room_page and "Globex proposal" not in room_page
    assert client.get(reverse("room-asset", args=[room.token, proposal.pk])).status_code == 410
    assert client.get(reverse("room-pages", args=[room.token, proposal.pk])).status_code == 410

    client.force_login(rep)
    deal_page = client.get(reverse("deal-detail", args=[deal.pk])).text
    assert "Not shown to the buyer: marked internal only" in deal_page
