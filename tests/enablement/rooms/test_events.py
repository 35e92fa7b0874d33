"""Reading events: running totals per page, replays count once, bounded, and never across rooms."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from enablement.rooms import alerts, reading, visits
from enablement.rooms.models import PageView, Visit
from tests.enablement.rooms.conftest import make_room, page_event, post_events, tracking_of
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def open_visit(client, room) -> str:
    return tracking_of(client.get(reverse("room-buyer", args=[room.token])))["visit"]


def seconds_by_page(visit_key: str) -> dict:
    return {
        (v.asset.title, v.page): v.seconds
        for v in PageView.objects.filter(visit__key=visit_key).select_related("asset")
    }


def test_page_seconds_are_recorded_per_asset_and_page(client, room, assets):
    visit = open_visit(client, room)
    batch = [page_event(visit, assets[0], 1, 4.5), page_event(visit, assets[0], 2, 7.25)]
    response = post_events(client, room, batch)
    assert response.status_code == 200 and response.json()["accepted"] == 2
    assert seconds_by_page(visit) == {("Initech proposal", 1): 4.5, ("Initech proposal", 2): 7.25}


def test_replayed_events_count_once(client, room, assets):
    visit = open_visit(client, room)
    batch = [page_event(visit, assets[0], 1, 4.0), page_event(visit, assets[1], 1, 3.0)]
    for _ in range(3):
        assert post_events(client, room, batch).status_code == 200
    post_events(client, room, [page_event(visit, assets[0], 1, 2.0)])  # a late, older total
    assert seconds_by_page(visit) == {("Initech proposal", 1): 4.0, ("Security overview", 1): 3.0}


def test_events_for_one_room_cannot_be_written_to_another(client, rep, room, assets):
    visit = open_visit(client, room)
    other_room = make_room(rep=rep, deal=DealFactory(owner=rep), assets=assets)
    # This room's visit sent to the other room's address, and the other room's asset ids: refused.
    response = post_events(client, other_room, [page_event(visit, assets[0], 1, 5)])
    assert response.status_code == 400 and "No such visit in this room" in response.json()["visit"][0]
    assert not PageView.objects.exists()


def test_an_event_for_an_asset_not_in_the_room_is_refused_with_the_field_named(client, room):
    from tests.factories import AssetFactory

    visit = open_visit(client, room)
    response = post_events(client, room, [page_event(visit, AssetFactory(), 1, 5)])
    assert response.status_code == 400
    assert response.json() == {"[0].asset": ["This asset is not in this room."]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "scroll"}, "[0].kind"),
        ({"page": 0}, "[0].page"),
        ({"page": 1.5}, "[0].page"),
        ({"seconds": -1}, "[0].seconds"),
        ({"seconds": "ten"}, "[0].seconds"),
        ({"at": "yesterday"}, "[0].at"),
    ],
)
def test_bad_events_are_refused_naming_the_field_and_nothing_is_written(client, room, assets, change, field):
    visit = open_visit(client, room)
    response = post_events(client, room, [{**page_event(visit, assets[0], 1, 5), **change}])
    assert response.status_code == 400 and field in response.json()
    assert not PageView.objects.exists()


def test_a_body_that_is_not_a_list_of_events_is_a_400_not_a_500(client, room):
    url = reverse("room-events", args=[room.token])
    for body in ("{", '{"visit": 1}', "[]", "[1]", '[{"visit": 5}]'):
        assert client.post(url, data=body, content_type="application/json").status_code == 400


def test_seconds_cannot_exceed_the_visits_age(client, room, assets):
    visit = open_visit(client, room)
    post_events(client, room, [page_event(visit, assets[0], 1, 86400)])
    (view,) = PageView.objects.all()
    assert view.seconds <= reading.SECONDS_SLACK + 5


def test_a_visit_takes_a_bounded_number_of_events_and_pages(client, room, assets, monkeypatch):
    monkeypatch.setattr(reading, "MAX_EVENTS_PER_VISIT", 10)
    visit = open_visit(client, room)
    assert (
        post_events(client, room, [page_event(visit, assets[0], p, 1) for p in range(1, 9)]).status_code
        == 200
    )
    refused = post_events(client, room, [page_event(visit, assets[0], p, 1) for p in range(9, 13)])
    assert refused.status_code == 400 and "at most 10 events" in refused.json()["events"][0]
    too_many = post_events(client, room, [page_event(visit, assets[0], 1, 1)] * 201)
    assert too_many.status_code == 400


def test_the_end_closes_the_visit_and_sends_one_summary_email(
    client, rep, room, assets, django_capture_on_commit_callbacks
):
    visit = open_visit(client, room)
    post_events(client, room, [page_event(visit, assets[0], 1, 12), page_event(visit, assets[0], 2, 8)])
    end = page_event(visit, None, None, 0, kind="end")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_events(client, room, [end]).json()["ended"] is True
    assert Visit.objects.get(key=visit).ended_at is not None
    (summary,) = [m for m in mail.outbox if m.to == [rep.email]]
    assert "Initech proposal: 20 s" in summary.body and "page 1: 12 s" in summary.body
    assert alerts.visit_summary_send(visit_id=Visit.objects.get(key=visit).pk) is False  # never twice


def test_a_rep_who_turned_emails_off_gets_no_summary(
    client, rep, room, assets, django_capture_on_commit_callbacks
):
    client.force_login(rep)
    client.post(reverse("buyer-alert-emails"), {})
    client.logout()
    visit = open_visit(client, room)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post_events(
            client, room, [page_event(visit, assets[0], 1, 3), page_event(visit, None, None, 0, kind="end")]
        )
    assert callbacks  # the summary task ran, and chose not to send
    assert Visit.objects.get(key=visit).summary_sent_at is None
    assert not mail.outbox


def test_a_visit_left_without_an_end_is_closed_and_summarised_later(
    client, rep, room, assets, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    visit = open_visit(client, room)
    post_events(client, room, [page_event(visit, assets[1], 1, 3)])
    assert visits.visits_close_idle() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert visits.visits_close_idle(now=timezone.now() + timedelta(minutes=31)) == 1
    assert len([m for m in mail.outbox if m.to == [rep.email]]) == 1
