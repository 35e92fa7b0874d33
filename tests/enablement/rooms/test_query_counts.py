"""The deal page, the home page and the rooms API read rooms and visits in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enablement.rooms.models import PageView
from tests.enablement.rooms.conftest import make_room, visit_read

pytestmark = pytest.mark.django_db


def add_visits(room, assets, n: int) -> None:
    for i in range(n):
        visit = visit_read(room, cookie=f"{room.pk}-{i}-" + "c" * 30)
        for asset in assets:
            for page in (1, 2):
                PageView.objects.create(visit=visit, asset=asset, page=page, seconds=3)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_and_api_cost_the_same_queries_with_one_or_many_rooms_and_visits(client, rep, deal, assets):
    room = make_room(rep=rep, deal=deal, assets=assets)
    add_visits(room, assets, 1)
    client.force_login(rep)
    urls = [
        reverse("deal-detail", args=[deal.pk]),
        reverse("home"),
        "/api/v1/rooms/",
        f"/api/v1/rooms/{room.pk}/visits/",
    ]
    small = [queries(client, url) for url in urls]
    add_visits(room, assets, 6)
    for _ in range(3):
        add_visits(make_room(rep=rep, deal=deal, assets=assets), assets, 2)
    assert [queries(client, url) for url in urls] == small
