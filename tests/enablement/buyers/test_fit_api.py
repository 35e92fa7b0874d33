"""Deals written through the API are scored against the approved profile as imports are: a deal an
integration creates is in or out of profile at once, and its fit follows the stage it reaches."""

from __future__ import annotations

import pytest

from enablement.models import Deal
from tests.enablement.api.conftest import (
    client_for,
    world,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db


def test_a_deal_an_integration_creates_is_scored_against_the_approved_profile(world, approved_profile):  # noqa: F811
    client = client_for(world, "token")
    body = {"deal_id": "006F", "source": "salesforce", "name": "Acme", "account": "Acme GmbH"}
    created = client.post("/api/v1/deals/", body, format="json").json()
    # The account the API names has no industry, size or region (+0 each), and a deal with no stage
    # yet has no role due (+3).
    assert (created["fit_score"], created["in_profile"]) == (3, False)
    assert created["fit_reasons"][-1] == "No buyer role is expected before its first stage (+3)."


def test_a_stage_change_through_the_api_brings_the_roles_due_by_that_stage_into_the_fit(
    world,  # noqa: F811
    approved_profile,
):
    client = client_for(world, "token")
    client.post("/api/v1/deals/", {"deal_id": "006G", "source": "salesforce", "name": "Acme"}, format="json")
    row = {"stage": "proposal", "entered_at": "2026-01-01T00:00:00Z"}
    assert client.post("/api/v1/deals/006G/stage-changes/", row, format="json").status_code == 201
    deal = Deal.objects.get(external_id="006G")
    # By Proposal the profile expects the champion and the economic buyer; neither is in the room.
    assert deal.fit_score == 0
    assert deal.fit_reasons[-1] == (
        "0 of 2 buyer roles expected by Proposal are in the room; missing Champion, Economic buyer (+0)."
    )
