"""In a deal room a deck is read slide by slide: its rendition's pages bound the reading events, and
the buyer's pages and thumbnails come through the room's checked views."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enablement.rooms.models import PageView
from tests.assets.renditions.conftest import needs_libreoffice
from tests.enablement.rooms.conftest import make_room, page_event, post_events, tracking_of
from tests.factories import DealFactory
from tests.files import pptx_with_slides

pytestmark = pytest.mark.django_db


@needs_libreoffice
def test_a_buyer_reads_slide_three_of_a_five_slide_deck(uploaded, rep, client):
    deck = uploaded("pitch.pptx", pptx_with_slides([f"Slide {n}" for n in range(1, 6)]), title="Pitch")
    room = make_room(rep=rep, deal=DealFactory(owner=rep), assets=[deck])
    listing = client.get(reverse("room-buyer", args=[room.token])).text
    assert f'src="{reverse("room-thumbnail", args=[room.token, deck.pk])}?v=' in listing
    assert 'alt="Preview of Pitch"' in listing
    page = client.get(reverse("room-asset", args=[room.token, deck.pk]))
    assert f'data-src="{reverse("room-pages", args=[room.token, deck.pk])}"' in page.text
    assert client.get(reverse("room-pages", args=[room.token, deck.pk]))["Content-Type"] == "application/pdf"
    visit = tracking_of(page)["visit"]
    assert post_events(client, room, [page_event(visit, deck, 3, 4.0)]).status_code == 200
    beyond = post_events(client, room, [page_event(visit, deck, 6, 1.0)])
    assert beyond.status_code == 400 and "between 1 and 5" in beyond.text
    assert list(PageView.objects.values_list("page", "seconds")) == [(3, 4.0)]
