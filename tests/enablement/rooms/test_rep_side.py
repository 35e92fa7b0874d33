"""The rep's side: rooms made and filled from the deal and asset pages, and what the rep hears."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enablement.rooms import services
from enablement.rooms.models import BuyerNotification, DealRoom
from enablement.usage.models import UsageEvent
from tests.enablement.rooms.conftest import page_event, post_events, sitting_passes, tracking_of
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def test_a_rep_creates_a_room_on_the_deal_page_fills_it_and_finds_its_link(client, rep, deal, assets):
    client.force_login(rep)
    page = client.get(reverse("deal-detail", args=[deal.pk]))
    assert "Create deal room" in page.text
    response = client.post(
        reverse("room-create", args=[deal.pk]),
        {"title": "Initech evaluation", "days": 14, "email_gate": "on", "allowed_domains": "initech.com"},
        follow=True,
    )
    room = DealRoom.objects.get()
    assert (room.title, room.email_gate, room.domains, room.created_by) == (
        "Initech evaluation",
        True,
        ["initech.com"],
        rep,
    )
    for asset in assets[:2]:
        client.post(
            reverse("room-item-add"),
            {
                "room": room.pk,
                "asset": asset.pk,
                "reason": "Answers the CFO",
                "next": reverse("deal-detail", args=[deal.pk]),
            },
        )
    client.post(
        reverse("room-item-add"),
        {"room": room.pk, "asset": assets[2].pk, "next": reverse("asset-detail", args=[assets[2].slug])},
    )
    assert [i.asset for i in room.items.all()] == assets
    page = client.get(reverse("deal-detail", args=[deal.pk]))
    assert "Copy link" in page.text and f"/r/{room.token}/" in page.text
    assert "Add to deal room" in page.text and "Buyer engagement" in page.text
    assert UsageEvent.objects.filter(deal=deal, action="shared").count() == 3
    assert "Deal room" in response.text


def test_the_asset_page_offers_add_to_deal_room_with_the_reps_live_rooms(client, rep, room, assets):
    client.force_login(rep)
    page = client.get(reverse("asset-detail", args=[assets[0].slug]))
    assert "Add to deal room" in page.text and room.title in page.text


def test_a_rep_cannot_create_or_fill_a_room_on_another_reps_deal(client, rep, room, assets):
    other = DealFactory()
    client.force_login(rep)
    assert client.post(reverse("room-create", args=[other.pk]), {"title": "x", "days": 5}).status_code == 404
    stranger_room = services.room_create(deal=other, by=other.owner, title="Theirs")
    response = client.post(reverse("room-item-add"), {"room": stranger_room.pk, "asset": assets[0].pk})
    assert response.status_code == 404 and not stranger_room.items.exists()


def test_bad_room_input_is_named_and_stores_nothing(client, rep, deal):
    client.force_login(rep)
    response = client.post(
        reverse("room-create", args=[deal.pk]),
        {"title": "Room", "days": 5, "email_gate": "on", "allowed_domains": "not a domain!"},
        follow=True,
    )
    assert "is not a domain like example.com" in response.text and not DealRoom.objects.exists()
    response = client.post(reverse("room-create", args=[deal.pk]), {"title": "", "days": 900}, follow=True)
    assert "Room title" in response.text and not DealRoom.objects.exists()


def test_withdrawing_a_room_closes_its_link(client, rep, room):
    client.force_login(rep)
    client.post(reverse("room-withdraw", args=[room.pk]))
    client.logout()
    assert client.get(reverse("room-buyer", args=[room.token])).status_code == 410


def test_first_open_return_visit_and_new_viewer_reach_the_reps_home_and_the_deal_page(
    client, rep, deal, room, assets
):
    from django.test import Client

    buyer, colleague = Client(), Client()
    visit = tracking_of(buyer.get(reverse("room-buyer", args=[room.token])))["visit"]
    post_events(
        buyer, room, [page_event(visit, assets[0], 2, 12.0), page_event(visit, None, None, 0, kind="end")]
    )
    sitting_passes()
    for reader in (buyer, colleague):  # later, a new visit; then a colleague's first
        again = tracking_of(reader.get(reverse("room-buyer", args=[room.token])))["visit"]
        post_events(reader, room, [page_event(again, None, None, 0, kind="start")])  # as the page does
    kinds = list(BuyerNotification.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["first_open", "return_visit", "new_viewer"]

    client.force_login(rep)
    home = client.get(reverse("home"))
    assert "Buyer activity" in home.text
    assert "First open" in home.text and "Return visit" in home.text
    assert "Opened by someone new — forwarded inside the buying team?" in home.text
    deal_page = client.get(reverse("deal-detail", args=[deal.pk]))
    assert "Buyer engagement" in deal_page.text and "page 2" in deal_page.text and "12.0" in deal_page.text


def test_the_api_lists_rooms_and_visits_with_the_deals_permission_rules(client, rep, room, assets):
    buyer_visit = tracking_of(client.get(reverse("room-buyer", args=[room.token])))["visit"]
    post_events(client, room, [page_event(buyer_visit, assets[0], 3, 9.5)])
    other_room = services.room_create(deal=DealFactory(), by=rep, title="Someone else's")
    client.force_login(rep)
    rooms = client.get("/api/v1/rooms/").json()
    assert [r["id"] for r in rooms["results"]] == [room.pk]
    assert [i["title"] for i in rooms["results"][0]["items"]] == [a.title for a in assets]
    visits = client.get(f"/api/v1/rooms/{room.pk}/visits/").json()["results"]
    assert visits[0]["pages"] == [{"asset": assets[0].slug, "page": 3, "seconds": 9.5}]
    assert client.get(f"/api/v1/rooms/{other_room.pk}/visits/").status_code == 404
    assert client.get(f"/api/v1/rooms/{other_room.pk}/").status_code == 404
    assert client.post("/api/v1/rooms/", {}, content_type="application/json").status_code == 405
