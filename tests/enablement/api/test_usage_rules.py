"""Usage through the API keeps the portal's and the importers' rules: nothing after a deal closed,
and an event_id re-sent with other content is rejected, not passed off as a duplicate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assets.models import FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.models import UsageEvent
from tests.enablement.api.conftest import client_for

EVENT = {"deal_id": "R1", "asset": "roi-calculator", "action": "presented"}


def post(client, body):
    response = client.post("/api/v1/usage-events/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["rep", "token"])
def test_usage_on_a_closed_deal_is_accepted_only_from_before_it_closed(world, actor):
    closed_at = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    deal_stage_change(
        deal=world["deal"], stage=FunnelStage.objects.get(slug="closed-won"), entered_at=closed_at
    )
    when = f"{closed_at:%Y-%m-%d %H:%M} UTC"
    reply = post(
        client_for(world, actor),
        [
            {**EVENT, "event_id": "before", "occurred_at": (closed_at - timedelta(hours=1)).isoformat()},
            {**EVENT, "event_id": "after", "occurred_at": (closed_at + timedelta(hours=1)).isoformat()},
            {**EVENT, "event_id": "no-time"},
        ],
    )
    assert (reply["created"], reply["duplicate"], reply["rejected"]) == (1, 0, 2)
    assert reply["results"][1] == {
        "event_id": "after",
        "status": "rejected",
        "errors": {"occurred_at": [f"Deal R1 closed on {when}; usage after that is not recorded."]},
    }
    assert reply["results"][2]["errors"] == {
        "occurred_at": [
            f"Deal R1 closed on {when}; usage after that is not recorded "
            "(an event without occurred_at happens now)."
        ]
    }
    assert list(UsageEvent.objects.values_list("event_id", "stage__slug")) == [("before", "proposal")]


@pytest.mark.django_db
def test_an_event_id_sent_again_with_other_content_is_rejected_and_the_same_content_is_a_duplicate(world):
    client = client_for(world, "rep")
    first = {**EVENT, "event_id": "a", "occurred_at": "2026-01-05T10:00:00Z"}
    assert post(client, first)["created"] == 1
    reply = post(
        client,
        [
            first,  # the same again
            {**EVENT, "event_id": "a"},  # re-sent without its time: the same event
            {**first, "action": "emailed"},
            {**first, "occurred_at": "2026-01-05T10:00:01Z"},
            {**EVENT, "event_id": "b"},
            {**EVENT, "event_id": "b", "action": "viewed"},  # the same id twice in one batch, differing
        ],
    )
    assert [r["status"] for r in reply["results"]] == [
        "duplicate",
        "duplicate",
        "rejected",
        "rejected",
        "created",
        "rejected",
    ]
    assert reply["results"][2]["errors"] == {
        "event_id": [
            "event_id 'a' was already recorded with different content (action); "
            "a recorded event is never changed."
        ]
    }
    assert "(occurred_at)" in reply["results"][3]["errors"]["event_id"][0]
    assert "'b' was already recorded with different content (action)" in str(reply["results"][5])
    stored = dict(UsageEvent.objects.values_list("event_id", "action"))
    assert stored == {"a": "presented", "b": "presented"}


@pytest.mark.django_db
def test_an_integration_naming_another_rep_for_a_recorded_event_is_rejected(world):
    client = client_for(world, "token")
    assert post(client, {**EVENT, "event_id": "x", "rep": "api-rep"})["created"] == 1
    reply = post(client, {**EVENT, "event_id": "x", "rep": "api-other"})
    assert reply["rejected"] == 1 and "(rep)" in reply["results"][0]["errors"]["event_id"][0]
