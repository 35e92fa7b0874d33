"""The API takes the times the importers take (enablement.moments): a year before 1900 or after 2200,
or an offset beyond ±14:00, is refused with the importers' words, naming the field; the bounds pass.
Before, the API stored 1800-01-01 and 23:59 offsets that an import of the same rows refused."""

from __future__ import annotations

import pytest

from enablement.importers.base import RowInvalid
from enablement.importers.parse import parse_when
from enablement.models import Deal, StageChange, UsageEvent
from tests.enablement.api.conftest import client_for

pytestmark = pytest.mark.django_db
REFUSED = {
    "1800-01-01T00:00:00Z": "is out of range (years 1900 to 2200 are accepted).",
    "2201-01-01T00:00:00+00:00": "is out of range (years 1900 to 2200 are accepted).",
    "2025-03-01T12:00:00+23:59": "has an offset out of range (-14:00 to +14:00).",
    "2025-03-01T12:00:00-14:30": "has an offset out of range (-14:00 to +14:00).",
}
TAKEN = ["1900-01-01T00:00:00Z", "2200-12-31T00:00:00+00:00", "2025-03-01T12:00:00+14:00"]


@pytest.mark.parametrize("written", REFUSED)
def test_the_importers_and_the_api_refuse_the_same_times_in_the_same_words(world, written):
    with pytest.raises(RowInvalid) as imported:
        parse_when(written, "occurred_at")
    assert str(imported.value) == f"occurred_at {written!r} {REFUSED[written]}"

    client = client_for(world, "token")
    event = {"event_id": "t1", "deal_id": "R1", "asset": "roi-calculator", "action": "viewed"}
    reply = client.post("/api/v1/usage-events/", [{**event, "occurred_at": written}], format="json").json()
    assert reply["results"][0]["status"] == "rejected"
    assert reply["results"][0]["errors"] == {"occurred_at": [f"{written!r} {REFUSED[written]}"]}

    deal = client.post(
        "/api/v1/deals/", {"deal_id": "T1", "name": "Time", "created_at": written}, format="json"
    )
    assert deal.status_code == 400 and deal.json() == {"created_at": [f"{written!r} {REFUSED[written]}"]}

    change = client.post(
        "/api/v1/deals/R1/stage-changes/", {"stage": "proposal", "entered_at": written}, format="json"
    )
    assert change.status_code == 400 and change.json()["entered_at"] == [f"{written!r} {REFUSED[written]}"]
    assert not UsageEvent.objects.exists() and not Deal.objects.filter(external_id="T1").exists()
    assert StageChange.objects.filter(deal__external_id="R1").count() == 1  # the world's own row


@pytest.mark.parametrize("written", TAKEN)
def test_times_at_the_bounds_pass_both_ways_in(world, written):
    parse_when(written, "occurred_at")
    client = client_for(world, "token")
    event = {"event_id": "t1", "deal_id": "R1", "asset": "roi-calculator", "action": "viewed"}
    reply = client.post("/api/v1/usage-events/", [{**event, "occurred_at": written}], format="json").json()
    assert reply["results"][0]["status"] == "created", reply
    deal = client.post(
        "/api/v1/deals/", {"deal_id": "T1", "name": "Time", "created_at": written}, format="json"
    )
    assert deal.status_code == 201, deal.json()
