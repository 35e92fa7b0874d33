"""Deal rooms for the tests: a rep's deal, a room with three published assets (one a 12-page PDF)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db.models import F
from django.urls import reverse

from assets.services import asset_version_add
from enablement.rooms import reading, services, visits
from enablement.rooms.models import VISIT_IDLE_MINUTES, BuyerNotification, Visit
from tests.factories import AssetFactory, DealFactory
from tests.files import pdf_with_pages


@pytest.fixture
def deal(rep):
    return DealFactory(owner=rep, name="Initech rollout")


@pytest.fixture
def assets():
    pdf = AssetFactory(title="Initech proposal", external_url="")
    pages = pdf_with_pages([f"Proposal, page {n}" for n in range(1, 13)])
    asset_version_add(asset=pdf, file=ContentFile(pages, name="proposal.pdf"))
    return [pdf, AssetFactory(title="Security overview"), AssetFactory(title="Customer story")]


def make_room(*, rep, deal, assets, **options):
    room = services.room_create(deal=deal, by=rep, title="Initech: your evaluation", **options)
    for asset in assets:
        services.room_item_add(room=room, asset=asset, by=rep, reason=f"Why {asset.title}")
    return room


@pytest.fixture
def room(rep, deal, assets):
    return make_room(rep=rep, deal=deal, assets=assets)


TRACKING = re.compile(r'<script id="room-tracking" type="application/json">(.*?)</script>', re.S)


def tracking_of(response) -> dict:
    """The visit key and events URL the buyer's page hands its script."""
    return json.loads(TRACKING.search(response.text).group(1))


def post_events(client, room, events):
    return client.post(
        reverse("room-events", args=[room.token]), data=json.dumps(events), content_type="application/json"
    )


def page_event(visit: str, asset, page: int, seconds: float, kind: str = "page") -> dict:
    return {
        "visit": visit,
        "kind": kind,
        "asset": asset.pk if asset else None,
        "page": page,
        "seconds": seconds,
        "at": "2026-11-23T10:00:00Z",
    }


def visit_read(room, *, cookie: str = "", email: str = "") -> Visit:
    """A visit whose page ran, as the real page's: opened, then its script's first event accepted
    (only such a visit counts and tells the rep)."""
    viewer = visits.viewer_get_or_create(room=room, email=email, cookie=cookie)
    visit = visits.visit_continue_or_start(room=room, viewer=viewer)
    reading.events_record(
        room=room, visit_key=visit.key, events=[page_event(visit.key, None, None, 0, "start")]
    )
    return visit


def sitting_passes(minutes: int = VISIT_IDLE_MINUTES + 1) -> None:
    """Move everything recorded so far `minutes` into the past, as if the buyer came back later."""
    earlier = timedelta(minutes=minutes)
    Visit.objects.update(
        started_at=F("started_at") - earlier,
        last_seen_at=F("last_seen_at") - earlier,
        ended_at=F("ended_at") - earlier,
        summary_sent_at=F("summary_sent_at") - earlier,
    )
    BuyerNotification.objects.update(created_at=F("created_at") - earlier)


SMTP = "django.core.mail.backends.smtp.EmailBackend"
