"""The API with Redis (broker and cache) stopped: every endpoint answers, every usage event is stored,
and throttling lets requests through rather than failing them."""

from __future__ import annotations

import logging

import pytest

from enablement.models import UsageEvent
from tests.enablement.api.conftest import client_for
from tests.enablement.api.payloads import CASES, EVENT
from tests.outage import answers_fast, answers_within, redis_hung


@pytest.mark.parametrize(("method", "path", "body", "expected"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_every_api_endpoint_answers_as_usual_for_a_token(world, redis_down, method, path, body, expected):
    client = client_for(world, "token")
    with answers_fast():
        response = (
            getattr(client, method)(path, body, format="json") if body else getattr(client, method)(path)
        )
    assert response.status_code == expected[-1], response.content


def test_every_usage_event_posted_through_the_api_is_stored(world, redis_down):
    events = [{**EVENT, "event_id": f"down-{n}"} for n in range(50)]
    with answers_fast():
        one = client_for(world, "token").post("/api/v1/usage-events/", events[0], format="json")
        rest = client_for(world, "token").post("/api/v1/usage-events/", events[1:], format="json")
    assert (one.status_code, rest.status_code) == (200, 200)
    assert rest.json()["created"] == 49
    assert UsageEvent.objects.filter(event_id__startswith="down-").count() == 50


def test_throttling_lets_requests_through_and_warns_once_not_per_request(world, redis_down, caplog):
    from enablement.api import tokens

    tokens.cache_warnings.next_at = 0.0  # an earlier test may have warned within the minute
    client = client_for(world, "token")
    with caplog.at_level(logging.WARNING, logger="enablement.api.tokens"):
        codes = [client.get("/api/v1/stages/").status_code for _ in range(5)]
    assert codes == [200] * 5
    warnings = [r for r in caplog.records if r.name == "enablement.api.tokens"]
    assert len(warnings) == 1 and "not throttled" in warnings[0].getMessage()


def test_with_redis_hung_only_the_first_request_waits_for_the_cache(world):
    client = client_for(world, "token")
    with redis_hung():
        with answers_within(4.5):  # the first request waits out the cache's 2 s socket timeout
            assert client.get("/api/v1/stages/").status_code == 200
        with answers_within(2.0):  # the next ten skip the cache instead of waiting 2 s each
            codes = [client.get("/api/v1/stages/").status_code for _ in range(10)]
    assert codes == [200] * 10
