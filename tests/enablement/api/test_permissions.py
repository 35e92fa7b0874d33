"""Every endpoint, for anonymous, a rep, another rep, marketing, an admin and an integration token."""

from __future__ import annotations

import pytest

from tests.enablement.api.conftest import client_for
from tests.enablement.api.payloads import CASES, EVENT

ACTORS = ["anonymous", "rep", "other", "marketing", "admin", "token"]


@pytest.mark.parametrize(("method", "path", "body", "expected"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
@pytest.mark.parametrize("actor_index", range(len(ACTORS)), ids=ACTORS)
def test_each_endpoint_answers_each_actor_as_its_role_allows(
    world, method, path, body, expected, actor_index
):
    client = client_for(world, ACTORS[actor_index])
    response = getattr(client, method)(path, body, format="json") if body else getattr(client, method)(path)
    assert response.status_code == expected[actor_index], response.content
    assert response["Content-Type"].startswith("application/json")


def test_reps_list_only_their_own_deals_and_tokens_act_for_their_user(world):
    rep_deals = client_for(world, "rep").get("/api/v1/deals/").json()["results"]
    assert [d["deal_id"] for d in rep_deals] == ["R1"]
    token_deals = client_for(world, "token").get("/api/v1/deals/").json()["results"]
    assert {d["deal_id"] for d in token_deals} == {"R1", "O1"}


def test_another_reps_usage_is_rejected_not_recorded(world):
    reply = client_for(world, "other").post("/api/v1/usage-events/", EVENT, format="json").json()
    assert reply["rejected"] == 1
    assert reply["results"][0]["errors"] == {"deal_id": ["No deal with this id that you may see."]}


def test_a_browser_asking_for_html_gets_json(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/api/v1/stages/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert isinstance(response.json(), list | dict)
