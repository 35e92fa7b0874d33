"""Only a visit whose page ran counts: a link-preview bot or a mail scanner fetches the room without
running its script, so it sends no event, tells the rep nothing and counts as no visit anywhere."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enablement.rooms import alerts, visits
from enablement.rooms.models import VISIT_IDLE_MINUTES, BuyerNotification, Viewer, Visit
from tests.enablement.rooms.conftest import page_event, post_events, sitting_passes, tracking_of

IDLE = timedelta(minutes=VISIT_IDLE_MINUTES + 1)


def fetch(room, client: Client | None = None) -> str:
    """A GET of the room, as a bot makes it: no cookie kept, no script run. Returns the visit key."""
    return tracking_of((client or Client()).get(reverse("room-buyer", args=[room.token])))["visit"]


def read(room, client: Client, *, end: bool = True) -> str:
    """What the real page does: open the room, and its script reports a start (and the leaving)."""
    visit = fetch(room, client)
    events = [page_event(visit, None, None, 0, kind="start")]
    assert post_events(client, room, events).status_code == 200
    if end:
        assert post_events(client, room, [page_event(visit, None, None, 0, kind="end")]).status_code == 200
    return visit


def kinds() -> list[str]:
    return list(BuyerNotification.objects.order_by("pk").values_list("kind", flat=True))


@pytest.mark.django_db
def test_a_fetch_that_runs_no_script_tells_the_rep_nothing_and_counts_no_visit(client, rep, deal, room):
    for _ in range(3):  # Slack's unfurl, Outlook's Safe Links, a mail scanner
        fetch(room)
    assert Visit.objects.filter(room=room).count() == 3  # kept only until the idle window has passed
    assert not BuyerNotification.objects.exists()

    client.force_login(rep)
    home = client.get(reverse("home")).text
    assert "First open" not in home and "When a buyer opens one of your deal rooms" in home
    deal_page = client.get(reverse("deal-detail", args=[deal.pk])).text
    assert "· 0 visits" in deal_page and "No buyer has opened a deal room of this deal yet." in deal_page
    assert "Anonymous reader" not in deal_page
    (listed,) = client.get("/api/v1/rooms/").json()["results"]
    assert listed["visits"] == 0
    assert client.get(f"/api/v1/rooms/{room.pk}/visits/").json()["results"] == []


@pytest.mark.django_db
def test_the_first_batch_of_events_tells_the_rep_once_and_the_visit_then_counts(
    client, rep, deal, room, assets
):
    buyer = Client()
    visit = read(room, buyer, end=False)
    assert kinds() == ["first_open"]
    post_events(buyer, room, [page_event(visit, assets[0], 1, 4.0)])
    post_events(buyer, room, [page_event(visit, assets[0], 1, 4.0)])  # a replay
    assert kinds() == ["first_open"]
    fetch(room)  # a bot alongside

    client.force_login(rep)
    assert "· 1 visit" in client.get(reverse("deal-detail", args=[deal.pk])).text
    assert client.get("/api/v1/rooms/").json()["results"][0]["visits"] == 1
    (listed,) = client.get(f"/api/v1/rooms/{room.pk}/visits/").json()["results"]
    assert listed["pages"] == [{"asset": assets[0].slug, "page": 1, "seconds": 4.0}]


@pytest.mark.django_db
def test_kinds_are_first_open_return_visit_and_new_viewer_whatever_bots_fetched_before(room):
    buyer, colleague = Client(), Client()
    fetch(room)  # the link unfurled in the buyer's Slack before anyone opened it
    read(room, buyer)
    assert kinds() == ["first_open"]
    sitting_passes()
    fetch(room)
    read(room, buyer)
    assert kinds() == ["first_open", "return_visit"]
    fetch(room)
    read(room, colleague)
    assert kinds() == ["first_open", "return_visit", "new_viewer"]


@pytest.mark.django_db
def test_a_visit_whose_page_never_ran_gets_no_summary_email(room, django_capture_on_commit_callbacks):
    visit = Visit.objects.get(key=fetch(room))
    Visit.objects.filter(pk=visit.pk).update(ended_at=timezone.now())
    assert alerts.visit_summary_send(visit_id=visit.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        visits.visits_close_idle(now=timezone.now() + IDLE)
    assert not mail.outbox


@pytest.mark.django_db
def test_the_idle_sweep_deletes_unconfirmed_visits_and_viewers_left_without_one(
    room, django_capture_on_commit_callbacks
):
    buyer, colleague = Client(), Client()
    read(room, buyer)
    sitting_passes()
    fetch(room, buyer)  # the same browser opened the room again, but this time its page never ran
    read(room, colleague, end=False)  # read, then closed the tab without an end
    fetch(room)  # a bot
    assert (Visit.objects.count(), Viewer.objects.count()) == (4, 3)
    assert visits.visits_close_idle() == 0  # nothing is idle yet, and nothing is deleted
    assert (Visit.objects.count(), Viewer.objects.count()) == (4, 3)

    with django_capture_on_commit_callbacks(execute=True):
        assert visits.visits_close_idle(now=timezone.now() + IDLE) == 1  # the colleague's visit
    kept = Visit.objects.all()
    assert len(kept) == 2 and all(v.events > 0 and v.ended_at is not None for v in kept)
    assert set(Viewer.objects.all()) == {v.viewer for v in kept}  # the bot's viewer went with its visit
    assert len(mail.outbox) == 1  # the colleague's summary; none for a visit that read nothing


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_batches_at_once_make_one_notification(rep, room, assets):
    visit = fetch(room)
    ready = threading.Barrier(4)
    statuses: list[int] = []

    def send(page: int) -> None:
        try:
            ready.wait()
            batch = [page_event(visit, assets[0], page, 1.0)]
            statuses.append(post_events(Client(), room, batch).status_code)
        finally:
            connection.close()

    for _ in range(5):  # a few rounds, each on a fresh visit, to give the race its chances
        threads = [threading.Thread(target=send, args=(page,)) for page in range(1, 5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert BuyerNotification.objects.filter(visit__key=visit).count() == 1
        assert Visit.objects.get(key=visit).events == 4
        ready.reset()
        visit = fetch(room)
    assert statuses == [200] * 20
    assert kinds() == ["first_open"] + ["new_viewer"] * 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_buyers_opening_a_room_at_once_make_one_first_open(rep, room, assets):
    keys = [fetch(room, Client()) for _ in range(4)]  # four browsers, none has sent an event yet
    ready = threading.Barrier(len(keys))

    def send(visit: str) -> None:
        try:
            ready.wait()
            post_events(Client(), room, [page_event(visit, assets[0], 1, 1.0)])
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(visit,)) for visit in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kinds()) == ["first_open"] + ["new_viewer"] * 3


@pytest.mark.django_db
def test_a_visit_notified_at_its_start_before_the_upgrade_still_takes_its_first_events(rep, room, assets):
    # Until migration 0010 the rep was told when the page was fetched; a visit open across the
    # deployment already has its notification when its first batch arrives.
    buyer = Client()
    visit = fetch(room, buyer)
    BuyerNotification.objects.create(
        recipient=rep, room=room, visit=Visit.objects.get(key=visit), kind="first_open"
    )
    assert post_events(buyer, room, [page_event(visit, assets[0], 1, 3.0)]).status_code == 200
    assert Visit.objects.get(key=visit).events == 1
    assert kinds() == ["first_open"]


@pytest.mark.django_db
def test_a_viewer_the_sweep_deleted_after_it_was_read_is_made_again_for_the_new_visit(room):
    viewer = visits.viewer_get_or_create(room=room, cookie="c" * 32)
    Viewer.objects.filter(pk=viewer.pk).delete()  # the idle sweep, between the read and the visit

    visit = visits.visit_continue_or_start(room=room, viewer=viewer)

    again = Viewer.objects.get()
    assert visit.viewer == again and again.cookie_hash == viewer.cookie_hash
