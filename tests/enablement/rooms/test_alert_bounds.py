"""One client cannot flood the rep: a viewer is announced once per sitting, a room makes at most so
many notifications and summary emails an hour (the rest folded into one line), and a client that
keeps no cookie may begin only so many visits. The counts live in the database."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from enablement.rooms import alerts
from enablement.rooms.models import BuyerNotification, Viewer, Visit
from tests.enablement.rooms.conftest import (
    SMTP,
    TRACKING,
    page_event,
    post_events,
    sitting_passes,
    tracking_of,
)
from tests.servers import free_port

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"


def loop_once(room, address: str = ATTACKER) -> bool:
    """The flood's step: open the room with an empty cookie jar, then start and end the page's
    visit. False when the page was shown without recording anything."""
    client = Client(REMOTE_ADDR=address)
    page = client.get(reverse("room-buyer", args=[room.token]))
    assert page.status_code == 200
    if not TRACKING.search(page.text):
        return False
    visit = tracking_of(page)["visit"]
    start, end = (page_event(visit, None, None, 0, kind) for kind in ("start", "end"))
    assert post_events(client, room, [start, end]).status_code == 200
    return True


def rep_emails(rep) -> list:
    return [m for m in mail.outbox if m.to == [rep.email]]


def test_thirty_cookieless_loops_from_one_client_are_bounded(
    rep, room, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        recorded = [loop_once(room) for _ in range(30)]
    assert recorded == [True] * 20 + [False] * 10  # ROOM_COOKIELESS_VISITS_PER_HOUR
    assert Visit.objects.count() == Viewer.objects.count() == 20
    notifications = BuyerNotification.objects.order_by("pk")
    assert notifications.count() == settings.ROOM_NOTIFICATIONS_PER_HOUR == 10
    assert notifications.last().more_visits == 10  # the rest, folded into one line
    assert len(rep_emails(rep)) == settings.ROOM_SUMMARY_EMAILS_PER_HOUR == 10
    assert Visit.objects.filter(summary_folded=True).count() == 10


def test_the_bound_on_cookieless_visits_is_per_client_and_per_room(rep, deal, assets, room):
    for _ in range(20):
        loop_once(room)
    assert not loop_once(room)
    assert loop_once(room, address="198.51.100.7")  # someone else at another address
    with_cookie = Client(REMOTE_ADDR=ATTACKER)
    with_cookie.get(reverse("room-buyer", args=[room.token]))  # no visit, but the cookie is set now
    assert TRACKING.search(with_cookie.get(reverse("room-buyer", args=[room.token])).text)


def test_a_browser_that_keeps_its_cookie_is_announced_once_per_sitting(rep, room):
    buyer = Client()
    for _ in range(5):
        page = buyer.get(reverse("room-buyer", args=[room.token]))
        visit = tracking_of(page)["visit"]
        post_events(
            buyer, room, [page_event(visit, None, None, 0, "start"), page_event(visit, None, None, 0, "end")]
        )
        buyer.cookies.pop("room_visit", None)  # even a new visit each time ...
    assert list(BuyerNotification.objects.values_list("kind", flat=True)) == [
        "first_open"
    ]  # ... is one alert
    sitting_passes()
    page = buyer.get(reverse("room-buyer", args=[room.token]))
    post_events(buyer, room, [page_event(tracking_of(page)["visit"], None, None, 0, "start")])
    assert sorted(BuyerNotification.objects.values_list("kind", flat=True)) == ["first_open", "return_visit"]


def test_back_after_the_end_continues_the_visit_with_no_second_alert_or_summary(
    rep, room, assets, django_capture_on_commit_callbacks
):
    buyer = Client()
    visit = tracking_of(buyer.get(reverse("room-buyer", args=[room.token])))["visit"]
    with django_capture_on_commit_callbacks(execute=True):
        post_events(
            buyer, room, [page_event(visit, assets[0], 1, 5.0), page_event(visit, None, None, 0, "end")]
        )
        # Back: the page comes out of the browser's cache, starts again with its visit key.
        back = post_events(
            buyer, room, [page_event(visit, None, None, 0, "start"), page_event(visit, assets[0], 2, 3.0)]
        )
        assert back.status_code == 200 and Visit.objects.get().ended_at is None
        # A reload after that, then the buyer leaves for good.
        again = tracking_of(buyer.get(reverse("room-buyer", args=[room.token])))["visit"]
        assert again == visit
        post_events(buyer, room, [page_event(visit, None, None, 0, "end")])
    assert Visit.objects.count() == 1
    assert BuyerNotification.objects.count() == 1
    assert len(rep_emails(rep)) == 1


def test_a_late_beacon_of_the_goodbye_counts_its_seconds_and_leaves_the_visit_ended(
    rep, room, assets, django_capture_on_commit_callbacks
):
    buyer = Client()
    visit = tracking_of(buyer.get(reverse("room-buyer", args=[room.token])))["visit"]
    with django_capture_on_commit_callbacks(execute=True):
        post_events(
            buyer, room, [page_event(visit, assets[0], 1, 2.0), page_event(visit, None, None, 0, "end")]
        )
        late = post_events(buyer, room, [page_event(visit, assets[0], 1, 4.0)])  # sent before, arrived after
    assert late.status_code == 200
    ended = Visit.objects.get()
    assert ended.ended_at is not None and ended.summary_sent_at is not None
    assert ended.page_views.get().seconds == 4.0
    assert len(rep_emails(rep)) == 1


def test_an_event_for_a_visit_ended_before_the_sitting_is_refused(room, assets):
    buyer = Client()
    visit = tracking_of(buyer.get(reverse("room-buyer", args=[room.token])))["visit"]
    post_events(
        buyer, room, [page_event(visit, None, None, 0, "start"), page_event(visit, None, None, 0, "end")]
    )
    sitting_passes()
    late = post_events(buyer, room, [page_event(visit, assets[0], 1, 2.0)])
    assert late.status_code == 400
    assert late.json() == {"visit": ["This visit has ended; reload the page to start another."]}


def test_visits_past_the_hours_summaries_are_told_in_the_next_summary(
    rep, room, settings, django_capture_on_commit_callbacks
):
    settings.ROOM_SUMMARY_EMAILS_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            loop_once(room, address=f"192.0.2.{n}")
    assert len(rep_emails(rep)) == 2
    sitting_passes(61)
    with django_capture_on_commit_callbacks(execute=True):
        loop_once(room, address="192.0.2.99")
    latest = rep_emails(rep)[-1]
    assert "And 2 more visits to this room since the last summary, not emailed one by one" in latest.body


def test_the_rep_sees_the_folded_visits_in_one_line(client, rep, room, settings):
    settings.ROOM_NOTIFICATIONS_PER_HOUR = 2
    for n in range(5):
        loop_once(room, address=f"192.0.2.{n}")
    client.force_login(rep)
    home = client.get(reverse("home")).text
    assert "and 3 more visits within the hour" in home


def test_a_summary_the_mail_server_refuses_is_let_go_to_be_tried_again(
    rep, room, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = SMTP, "127.0.0.1", free_port()
    with django_capture_on_commit_callbacks(execute=True):
        assert loop_once(room)  # the buyer's request is answered although the summary failed
    visit = Visit.objects.get()
    assert visit.summary_sent_at is None  # not claimed: a later try may send it
    assert "The summary of visit" in caplog.text
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alerts.visit_summary_send(visit_id=visit.pk) is True


def test_the_bounds_hold_with_redis_down(rep, room, redis_down):
    recorded = [loop_once(room) for _ in range(25)]
    assert recorded.count(True) == 20
    assert BuyerNotification.objects.count() == 10
