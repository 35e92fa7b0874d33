"""Malformed input a hostile or broken page may send to the buyer's room: a clear 4xx naming what is
wrong, never a 500, and nothing stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enablement.rooms.models import PageView, Visit
from tests.enablement.rooms.conftest import page_event, post_events, tracking_of

pytestmark = pytest.mark.django_db


def open_visit(client, room) -> str:
    return tracking_of(client.get(reverse("room-buyer", args=[room.token])))["visit"]


@pytest.mark.parametrize("asset", [[1], {"id": 1}])
def test_an_asset_that_is_not_a_number_is_refused_with_the_field_named(client, room, assets, asset):
    visit = open_visit(client, room)
    event = {**page_event(visit, assets[0], 1, 2.0), "asset": asset}
    response = post_events(client, room, [event])
    assert response.status_code == 400
    assert response.json() == {"[0].asset": ["This asset is not in this room."]}
    assert not PageView.objects.exists()


@pytest.mark.parametrize("at", ["2026-02-30T10:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23T10:00:00+99:00"])
def test_a_well_formed_but_impossible_time_is_refused_with_the_field_named(client, room, assets, at):
    visit = open_visit(client, room)
    event = {**page_event(visit, assets[0], 1, 2.0), "at": at}
    response = post_events(client, room, [event])
    assert response.status_code == 400
    assert list(response.json()) == ["[0].at"]
    assert not PageView.objects.exists()


@pytest.mark.parametrize("name", ["room-asset", "room-file"])
def test_an_asset_id_too_large_for_the_database_is_gone_like_any_asset_not_in_the_room(client, room, name):
    open_visit(client, room)
    response = client.get(reverse(name, args=[room.token, 10**30]))
    assert response.status_code == 410


def test_a_page_beyond_the_pdf_s_last_page_is_refused(client, room, assets):
    visit = open_visit(client, room)  # assets[0] is a 12-page PDF
    response = post_events(client, room, [page_event(visit, assets[0], 9999, 2.0)])
    assert response.status_code == 400
    assert response.json() == {"[0].page": ["page must be between 1 and 12."]}
    assert not PageView.objects.exists()
    assert post_events(client, room, [page_event(visit, assets[0], 1, 2.0)]).status_code == 200


def test_an_asset_that_is_not_a_pdf_has_one_page(client, room, assets):
    visit = open_visit(client, room)  # assets[1] is a link or a file without pages
    response = post_events(client, room, [page_event(visit, assets[1], 2, 2.0)])
    assert response.status_code == 400
    assert response.json() == {"[0].page": ["page must be between 1 and 1."]}
    assert not PageView.objects.exists()
    assert post_events(client, room, [page_event(visit, assets[1], 1, 2.0)]).status_code == 200


def test_a_visit_s_pages_together_cannot_claim_more_time_than_the_visit_has_lasted(client, room, assets):
    visit = open_visit(client, room)
    # Each page alone is within the visit's age and its slack; twelve pages of 25 s at once are not.
    batch = [page_event(visit, assets[0], page, 25.0) for page in range(1, 13)]
    assert post_events(client, room, batch).status_code == 200
    recorded = sum(PageView.objects.filter(visit__key=visit).values_list("seconds", flat=True))
    assert 25 <= recorded <= 31
    # A replay of the same batch stays within the visit's age too.
    post_events(client, room, batch)
    assert sum(PageView.objects.filter(visit__key=visit).values_list("seconds", flat=True)) <= 31


@pytest.mark.parametrize(
    ("visit", "problem"),
    [
        ("\udfffab", "holds a lone surrogate (\\udfff), which is not valid Unicode"),
        ("ab\u0000c", "holds a NUL character (\\u0000)"),
    ],
)
def test_text_no_database_or_reply_can_hold_is_a_400_naming_the_field(client, room, visit, problem):
    open_visit(client, room)
    response = post_events(client, room, [{"visit": visit, "kind": "start", "at": 1}])
    assert response.status_code == 400
    assert response.json() == {"detail": f"The string at $[0].visit {problem}."}
    assert not Visit.objects.confirmed().exists()


def test_a_lone_surrogate_in_a_key_or_deep_nesting_is_refused_before_any_lookup(client, room):
    visit = open_visit(client, room)
    keyed = post_events(client, room, [{"visit": visit, "kind": "start", "at": 1, "\ud800": 1}])
    assert keyed.status_code == 400
    assert "A key in $[0]" in keyed.json()["detail"]
    deep = client.post(
        reverse("room-events", args=[room.token]),
        data="[" * 5000 + "]" * 5000,
        content_type="application/json",
    )
    assert deep.status_code == 400
    assert deep.json() == {"detail": "The JSON body is nested more than 32 levels deep."}
    not_utf8 = client.post(
        reverse("room-events", args=[room.token]), data=b'["\xff"]', content_type="application/json"
    )
    assert not_utf8.status_code == 400
    assert not_utf8.json() == {"detail": "The body is not JSON."}
    assert not Visit.objects.confirmed().exists()
