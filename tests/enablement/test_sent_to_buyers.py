"""*Sent to buyers* (`/shares/`): a rep's share links and deal rooms in one list, with what buyers
opened, and *Withdraw* while live. Links and rooms are made through the portal's own forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assets.models import FunnelStage
from assets.services import asset_archive
from enablement.deals.history import deal_stage_change
from enablement.models import ShareLink
from enablement.rooms.models import DealRoom, Viewer, Visit
from tests.enablement.buyer_page import open_share_link
from tests.factories import AssetFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db


def open_deal(owner, name: str):
    deal = DealFactory(owner=owner, name=name)
    deal_stage_change(
        deal=deal,
        stage=FunnelStage.objects.get(slug="proposal"),
        entered_at=timezone.now() - timedelta(days=3),
    )
    return deal


@pytest.fixture
def sent(client, rep):
    """Rita shares two assets and makes a room on her deal; Omar shares one on his."""
    roi = AssetFactory(title="ROI calculator")
    story = AssetFactory(title="Initech story")
    deal = open_deal(rep, "Globex platform")
    omar = UserFactory(username="omar", role="Reps")
    client.force_login(omar)
    theirs = open_deal(omar, "Umbrella analytics")
    client.post(reverse("asset-share", args=[roi.slug]), {"deal": theirs.pk, "days": 30})
    client.force_login(rep)
    for asset in (roi, story):
        client.post(reverse("asset-share", args=[asset.slug]), {"deal": deal.pk, "days": 14})
    client.post(reverse("room-create", args=[deal.pk]), {"title": "Globex evaluation", "days": 30})
    room = DealRoom.objects.get()
    client.post(reverse("room-item-add"), {"room": room.pk, "asset": story.pk, "reason": "A team like yours"})
    return {"deal": deal, "room": room, "roi": ShareLink.objects.get(asset=roi, deal=deal), "theirs": theirs}


def rows(client, **params) -> list[str]:
    response = client.get(reverse("share-list"), params)
    assert response.status_code == 200
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tbody>.*?</tbody>", response.text, re.S)[:1]
        for row in re.findall(r"<tr>(.*?)</tr>", row, re.S)
    ]


def test_a_rep_sees_their_links_and_rooms_with_assets_deal_status_and_expiry(client, rep, sent):
    listed = rows(client)
    assert len(listed) == 3
    room = next(r for r in listed if r.startswith("Deal room"))
    assert "Globex evaluation Initech story" in room and "Globex platform" in room and "Live" in room
    link = next(r for r in listed if "ROI calculator" in r)
    expiry = (sent["roi"].expires_at).strftime("%-d %b %Y")
    assert "Share link ROI calculator" in link and "0 views" in link and "never" in link and expiry in link
    assert not any("Umbrella" in r for r in listed)


def test_views_and_confirmed_visits_are_counted_with_the_last_opening(client, rep, sent):
    open_share_link(client, sent["roi"].token)
    viewer = Viewer.objects.create(room=sent["room"], cookie_hash="c" * 64)
    Visit.objects.create(room=sent["room"], viewer=viewer, events=3)
    Visit.objects.create(room=sent["room"], viewer=viewer, events=0)  # a preview's fetch: no visit
    listed = rows(client)
    assert "1 view" in next(r for r in listed if "ROI calculator" in r)
    room = next(r for r in listed if r.startswith("Deal room"))
    assert "1 visit" in room and "never" not in room


def test_withdrawing_a_link_from_the_list_stops_it_and_lists_it_as_withdrawn(client, rep, sent):
    response = client.post(reverse("share-link-withdraw", args=[sent["roi"].pk]))
    assert response.status_code == 302 and response.url == reverse("share-list")
    sent["roi"].refresh_from_db()
    assert sent["roi"].revoked_at is not None
    assert client.get(reverse("buyer-view", args=[sent["roi"].token])).status_code == 410
    withdrawn = rows(client, status="withdrawn")
    assert len(withdrawn) == 1 and "ROI calculator" in withdrawn[0] and "Withdrawn" in withdrawn[0]
    assert "Withdraw" not in withdrawn[0].replace("Withdrawn", "")  # no button on what is no longer live
    assert rows(client)[-1] == withdrawn[0]  # live ones first


def test_withdrawing_a_room_from_the_list_comes_back_to_the_list(client, rep, sent):
    back = reverse("share-list") + "?kind=room"
    response = client.post(reverse("room-withdraw", args=[sent["room"].pk]), {"next": back})
    assert response.status_code == 302 and response.url == back
    sent["room"].refresh_from_db()
    assert sent["room"].revoked_at is not None
    assert "Withdrawn" in rows(client, kind="room")[0]


def test_a_rep_cannot_withdraw_another_reps_link(client, rep, sent):
    theirs = ShareLink.objects.get(deal=sent["theirs"])
    assert client.post(reverse("share-link-withdraw", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_filters_by_status_kind_and_words(client, rep, sent):
    ShareLink.objects.filter(pk=sent["roi"].pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert [("ROI calculator" in r, "Expired" in r) for r in rows(client, status="expired")] == [(True, True)]
    assert len(rows(client, status="live")) == 2
    assert all(r.startswith("Share link") for r in rows(client, kind="link"))
    assert len(rows(client, kind="room")) == 1
    assert len(rows(client, q="initech")) == 1  # a link by its asset's title
    assert len(rows(client, q="globex evaluation")) == 1  # a room by its own title
    assert len(rows(client, q="globex")) == 3  # both by their deal's name
    assert rows(client, kind="bogus") == rows(client)  # a bad filter is left out


def test_marketing_sees_every_deals_links_and_rooms(client, sent):
    client.force_login(UserFactory(username="mia", role="Marketing"))
    listed = rows(client)
    assert len(listed) == 4 and any("Umbrella analytics" in r for r in listed)


def test_the_list_runs_the_same_queries_however_many_links(client, rep, sent):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("share-list")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(25):
        deck = AssetFactory(title=f"Deck {i}")
        client.post(reverse("asset-share", args=[deck.slug]), {"deal": sent["deal"].pk, "days": 5})
    # The 25 newer links fill the first page: the room (and its one query for assets) moves to page 2.
    assert count() == small - 1


def test_a_link_whose_asset_was_unpublished_is_listed_as_withdrawn_after_the_live_ones(client, rep, sent):
    story = ShareLink.objects.get(asset__title="Initech story")  # shared after the ROI calculator
    asset_archive(asset=story.asset)
    listed = rows(client)
    assert listed[-1].startswith("Share link Initech story") and "Asset withdrawn" in listed[-1]
    assert "Withdraw" not in listed[-1].replace("Asset withdrawn", "")
    assert [r.startswith("Share link Initech story") for r in rows(client, status="withdrawn")] == [True]
