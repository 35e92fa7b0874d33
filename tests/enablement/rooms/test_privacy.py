"""What is kept about a buyer: no IP address, a cookie only as a keyed hash, erasable, with a retention."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from enablement.rooms import gate, services, visits
from enablement.rooms.models import BuyerNotification, EmailChallenge, PageView, Viewer, Visit
from tests.enablement.rooms.conftest import make_room, page_event, post_events, tracking_of, visit_read

pytestmark = pytest.mark.django_db

BUYER_ADDRESS = "203.0.113.77"


def test_no_raw_ip_address_or_cookie_value_is_stored_anywhere(client, rep, deal, assets):
    room = make_room(rep=rep, deal=deal, assets=assets, email_gate=True)
    url = reverse("room-buyer", args=[room.token])
    client.post(url, {"email": "peter@initech.com"}, REMOTE_ADDR=BUYER_ADDRESS)
    open_room = make_room(rep=rep, deal=deal, assets=assets)
    page = client.get(reverse("room-buyer", args=[open_room.token]), REMOTE_ADDR=BUYER_ADDRESS)
    post_events(client, open_room, [page_event(tracking_of(page)["visit"], assets[0], 1, 3)])
    cookie = client.cookies["buyer_id"].value
    out = io.StringIO()
    call_command("dumpdata", "enablement", "outbox", stdout=out)
    dump = out.getvalue()
    assert Viewer.objects.count() == 1 and PageView.objects.count() == 1
    assert BUYER_ADDRESS not in dump
    assert cookie not in dump


def test_the_cookie_hash_is_keyed_and_not_reversible_to_the_raw_value(client, room, settings):
    client.get(reverse("room-buyer", args=[room.token]))
    cookie = client.cookies["buyer_id"].value
    viewer = Viewer.objects.get()
    assert viewer.cookie_hash and cookie not in viewer.cookie_hash
    # Not a plain digest anyone could recompute from a guessed cookie: it needs the site's key.
    assert viewer.cookie_hash not in {
        hashlib.sha256(cookie.encode()).hexdigest(),
        hashlib.md5(cookie.encode()).hexdigest(),
    }
    assert viewer.cookie_hash == gate.cookie_hash(room=room, cookie=cookie)
    settings.SECRET_KEY = "another-key-entirely-" + "x" * 40
    assert gate.cookie_hash(room=room, cookie=cookie) != viewer.cookie_hash


def test_the_same_browser_is_one_viewer_per_room_and_not_linkable_across_rooms(
    client, rep, deal, assets, room
):
    other = make_room(rep=rep, deal=deal, assets=assets)
    for _ in range(2):
        client.get(reverse("room-buyer", args=[room.token]))
    client.get(reverse("room-buyer", args=[other.token]))
    hashes = list(Viewer.objects.values_list("cookie_hash", flat=True))
    assert len(hashes) == 2 and len(set(hashes)) == 2


def test_erasing_a_viewer_removes_their_visits_page_times_notifications_and_codes(
    admin_client, rep, deal, assets
):
    room = make_room(rep=rep, deal=deal, assets=assets, email_gate=True)
    gate.email_challenge_send(room=room, email="peter@initech.com", client="a-client")
    for email in ("peter@initech.com", "anna@initech.com"):
        visit = visit_read(room, email=email)
        PageView.objects.create(visit=visit, asset=assets[0], page=1, seconds=5)
    peter = Viewer.objects.get(email="peter@initech.com")
    response = admin_client.post(
        reverse("admin:enablement_viewer_changelist"),
        {"action": "erase", "_selected_action": [peter.pk]},
        follow=True,
    )
    assert "Erased 1 viewer(s) and their 1 visit(s)." in response.text
    assert not Visit.objects.filter(viewer__email="peter@initech.com").exists()
    assert not EmailChallenge.objects.filter(email="peter@initech.com").exists()
    assert list(Viewer.objects.values_list("email", flat=True)) == ["anna@initech.com"]
    assert PageView.objects.count() == 1 and BuyerNotification.objects.count() == 1
    assert site.is_registered(Viewer)


def test_visits_older_than_the_retention_setting_are_deleted(room, settings):
    settings.ROOM_VISIT_RETENTION_DAYS = 90
    viewer = visits.viewer_get_or_create(room=room, cookie="c" * 40)
    old = visits.visit_continue_or_start(room=room, viewer=viewer)
    Visit.objects.filter(pk=old.pk).update(started_at=timezone.now() - timedelta(days=91))
    Viewer.objects.filter(pk=viewer.pk).update(first_seen_at=timezone.now() - timedelta(days=91))
    fresh_viewer = visits.viewer_get_or_create(room=room, cookie="d" * 40)
    visits.visit_continue_or_start(room=room, viewer=fresh_viewer)
    assert services.visits_purge() == 1
    assert list(Viewer.objects.all()) == [fresh_viewer] and Visit.objects.count() == 1
