"""Pages for a signed-in person and API answers are kept by no shared cache and by no disk."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enablement.api.tokens import api_token_create
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("name", ["home", "search"])
def test_a_signed_in_persons_pages_are_private_and_not_stored(client, rep, name):
    client.force_login(rep)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_a_deal_page_and_an_error_answer_are_private_too(client, rep):
    client.force_login(rep)
    deal = DealFactory(owner=rep)
    assert {"private", "no-store"} <= directives(client.get(reverse("deal-detail", args=[deal.pk])))
    assert {"private", "no-store"} <= directives(client.get("/assets/no-such-asset/"))


def test_api_answers_are_private_with_a_token_or_none(client, rep):
    key = api_token_create(name="crm sync", user=rep)[1]
    with_token = client.get("/api/v1/deals/", HTTP_AUTHORIZATION=f"Token {key}")
    assert with_token.status_code == 200 and {"private", "no-store"} <= directives(with_token)
    anonymous = client.get("/api/v1/deals/")
    assert anonymous.status_code in (401, 403) and {"private", "no-store"} <= directives(anonymous)
