"""The asset analytics page shows how buyers read the asset in deal rooms: where readers stop."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from assets.services import asset_version_add
from enablement.rooms.models import PageView
from enablement.rooms.selectors import asset_engagement
from tests.enablement.rooms.conftest import make_room, visit_read
from tests.factories import AssetFactory
from tests.files import pdf_with_pages


def read(room, asset, cookie: str, seconds_by_page: dict[int, float]) -> None:
    visit = visit_read(room, cookie=cookie * 20)
    for page, seconds in seconds_by_page.items():
        PageView.objects.create(visit=visit, asset=asset, page=page, seconds=seconds)


@pytest.mark.django_db
def test_the_asset_page_shows_rooms_visits_median_time_share_read_and_where_readers_stop(
    client, marketer, rep, deal
):
    deck = AssetFactory(title="Pricing deck", external_url="")
    asset_version_add(asset=deck, file=ContentFile(pdf_with_pages(["a", "b", "c", "d"]), name="deck.pdf"))
    room = make_room(rep=rep, deal=deal, assets=[deck])
    read(room, deck, "a", {1: 10, 2: 20})  # 30 s, 2 of 4 pages, stops at 2
    read(room, deck, "b", {1: 5, 2: 5, 3: 5, 4: 5})  # 20 s, all 4, stops at 4
    read(room, deck, "c", {1: 50})  # 50 s, 1 of 4, stops at 1

    figures = asset_engagement(deck)
    assert (figures.rooms, figures.visits, figures.median_seconds, figures.pages) == (1, 3, 30, 4)
    assert figures.share_read_percent == round(100 * (2 / 4 + 4 / 4 + 1 / 4) / 3)
    assert figures.stops == [(1, 1), (2, 1), (4, 1)]

    client.force_login(marketer)
    page = client.get(reverse("analytics-asset", args=[deck.slug]))
    assert page.status_code == 200
    assert "Buyer engagement" in page.text and "a median of 30 s per visit" in page.text
    assert "58% of its 4 pages read on average" in page.text and "Where readers stop" in page.text
