"""Usage events in bulk, CRM sync of deals and stage changes, tokens and throttling."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from assets.models import FunnelStage
from enablement.api.tokens import ApiToken
from enablement.models import Deal, StageMap, UsageEvent
from tests.enablement.api.conftest import client_for

EVENT = {"deal_id": "R1", "asset": "roi-calculator", "action": "presented"}  # occurred now


@pytest.mark.django_db
def test_a_batch_says_created_duplicate_or_rejected_per_event(world):
    client = client_for(world, "rep")
    client.post("/api/v1/usage-events/", {**EVENT, "event_id": "a"}, format="json")
    batch = [
        {**EVENT, "event_id": "a"},  # already recorded
        {**EVENT, "event_id": "b"},  # new
        {**EVENT, "event_id": "b"},  # repeated in the same batch
        {**EVENT, "event_id": "c", "action": "printed"},  # bad action
        {**EVENT, "event_id": "d", "deal_id": "O1"},  # another rep's deal
        {"event_id": "e"},  # missing fields
        "not an object",
        {**EVENT, "event_id": "f", "rep": "api-other"},  # on someone else's behalf
    ]
    reply = client.post("/api/v1/usage-events/", batch, format="json").json()
    assert [r["status"] for r in reply["results"]] == [
        "duplicate",
        "created",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert (reply["created"], reply["duplicate"], reply["rejected"]) == (1, 2, 5)
    assert reply["results"][3]["errors"] == {"action": ['"printed" is not a valid choice.']}
    assert set(reply["results"][5]["errors"]) == {"deal_id", "asset", "action"}
    assert reply["results"][7]["errors"] == {"rep": ["Reps record their own usage."]}
    assert set(UsageEvent.objects.values_list("event_id", flat=True)) == {"a", "b"}
    assert UsageEvent.objects.get(event_id="b").stage.slug == "proposal"


@pytest.mark.django_db
def test_more_than_a_thousand_events_or_none_is_refused_whole(world):
    client = client_for(world, "token")
    many = [{**EVENT, "event_id": f"x{n}"} for n in range(1001)]
    assert client.post("/api/v1/usage-events/", many, format="json").status_code == 400
    assert client.post("/api/v1/usage-events/", [], format="json").status_code == 400
    assert not UsageEvent.objects.exists()


@pytest.mark.django_db
def test_malformed_json_is_a_400_with_a_message(world):
    client = client_for(world, "token")
    response = client.post("/api/v1/usage-events/", "{not json", content_type="application/json")
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]


@pytest.mark.django_db
def test_deals_are_upserted_by_crm_id_and_stage_names_go_through_the_stage_map(world):
    client = client_for(world, "token")
    body = {
        "deal_id": "006X",
        "source": "salesforce",
        "name": "Acme",
        "account": "Acme GmbH",
        "amount": "1200.50",
        "currency": "eur",
        "owner_email": "new.rep@example.com",
    }
    first = client.post("/api/v1/deals/", body, format="json")
    again = client.post("/api/v1/deals/", {**body, "name": "Acme platform"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    deal = Deal.objects.get(source="salesforce", external_id="006X")
    assert (deal.name, str(deal.amount), deal.currency, deal.account.name) == (
        "Acme platform",
        "1200.50",
        "EUR",
        "Acme GmbH",
    )
    assert deal.owner.email == "new.rep@example.com"
    unmapped = client.post(
        "/api/v1/deals/006X/stage-changes/",
        {"stage": "Proposta", "entered_at": "2026-01-01T00:00Z"},
        format="json",
    )
    assert unmapped.status_code == 400 and "Proposta" in unmapped.json()["stage"][0]
    StageMap.objects.create(
        source="salesforce", crm_stage="Proposta", stage=FunnelStage.objects.get(slug="proposal")
    )
    row = {"id": "008A", "stage": "Proposta", "entered_at": "2026-01-01T00:00:00Z"}
    assert client.post("/api/v1/deals/006X/stage-changes/", row, format="json").status_code == 201
    assert client.post("/api/v1/deals/006X/stage-changes/", row, format="json").status_code == 200
    history = client.get("/api/v1/deals/006X/stage-changes/").json()
    assert history == [{"id": "008A", "stage": "proposal", "entered_at": "2026-01-01T00:00:00Z"}]
    rewrite = client.post(
        "/api/v1/deals/006X/stage-changes/", {**row, "entered_at": "2026-02-01T00:00:00Z"}, format="json"
    )
    assert rewrite.status_code == 400 and "never rewritten" in str(rewrite.json())


@pytest.mark.django_db
def test_a_deals_id_and_source_cannot_change_and_nothing_of_the_patch_is_kept(world):
    client = client_for(world, "token")
    body = {"deal_id": "006Y", "source": "salesforce", "name": "Initech"}
    assert client.post("/api/v1/deals/", body, format="json").status_code == 201
    patch = {"deal_id": "006Z", "owner_email": "someone.new@example.com"}
    response = client.patch("/api/v1/deals/006Y/", patch, format="json")
    assert response.status_code == 400
    assert "A deal's id and source cannot change." in str(response.json()["deal_id"])
    assert Deal.objects.filter(external_id="006Y").exists()
    assert not Deal.objects.filter(external_id="006Z").exists()
    assert not User.objects.filter(email="someone.new@example.com").exists()


@pytest.mark.django_db
def test_bad_deal_input_names_each_field(world):
    response = client_for(world, "token").post(
        "/api/v1/deals/",
        {"deal_id": "", "amount": "-5", "currency": "euros", "created_at": "soon"},
        format="json",
    )
    assert response.status_code == 400
    assert {"deal_id", "name", "amount", "currency", "created_at"} <= set(response.json())


@pytest.mark.django_db
def test_api_token_command_prints_a_key_that_works_once_revoked_it_does_not(world):
    out = StringIO()
    call_command("api_token", "create", "BI tool", "--user", "api-marketing", stdout=out)
    key = out.getvalue().strip()
    assert ApiToken.objects.get(name="BI tool").key_hash != key  # only a hash is kept
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/analytics/stages/").status_code == 200
    call_command("api_token", "revoke", "BI tool", stdout=StringIO())
    assert client.get("/api/v1/analytics/stages/").status_code == 401


@pytest.mark.django_db
def test_tokens_are_throttled_each_on_its_own(world, monkeypatch):
    from django.core.cache import cache

    from enablement.api.tokens import TokenRateThrottle

    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "3/minute"})
    try:
        client = client_for(world, "token")
        codes = [client.get("/api/v1/stages/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert "detail" in client.get("/api/v1/stages/").json()
        assert client_for(world, "rep").get("/api/v1/stages/").status_code == 200  # its own budget
    finally:
        cache.clear()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_clients_posting_the_same_5000_events_at_once_store_each_exactly_once(world):
    events = [{**EVENT, "event_id": f"c-{n}"} for n in range(5000)]
    errors: list[str] = []

    def post(offset: int) -> None:
        try:
            client = client_for(world, "token")
            # Each client sends all 5,000 in its own order, so batches overlap and race.
            rotated = events[offset * 600 :] + events[: offset * 600]
            for start in range(0, len(rotated), 1000):
                response = client.post("/api/v1/usage-events/", rotated[start : start + 1000], format="json")
                if response.status_code != 200 or response.json()["rejected"]:
                    errors.append(f"{response.status_code}: {response.content[:200]}")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert UsageEvent.objects.count() == 5000
    assert UsageEvent.objects.values("event_id").distinct().count() == 5000


@pytest.mark.django_db
def test_an_admin_makes_a_token_in_the_admin_and_sees_its_key_once(client, world):
    client.force_login(world["admin"])
    response = client.post(
        "/admin/enablement/apitoken/add/", {"name": "HubSpot webhook", "user": world["rep"].pk}, follow=True
    )
    token = ApiToken.objects.get(name="HubSpot webhook")
    message = next(m for m in response.context["messages"] if "HubSpot webhook" in str(m))
    key = str(message).rsplit(": ", 1)[1]
    assert key.startswith(token.prefix) and token.key_hash != key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert [d["deal_id"] for d in api.get("/api/v1/deals/").json()["results"]] == ["R1"]  # acts as the rep
    page = client.get(f"/admin/enablement/apitoken/{token.pk}/change/").text
    assert key not in page
