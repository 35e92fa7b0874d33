"""The API's asset objects say how far each asset's rendition got, and integrations fetch the
thumbnail with their token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from enablement.api.tokens import api_token_create
from tests.files import pdf_with_pages

pytestmark = pytest.mark.django_db


def test_asset_objects_carry_page_count_thumbnail_and_rendition_state(uploaded, rep, settings):
    ready = uploaded("proposal.pdf", pdf_with_pages(["a", "b", "c"]), title="Proposal")
    settings.LIBREOFFICE = ""
    failed = uploaded("deck.pptx", b"not a deck", title="Deck")
    queued = uploaded("plan.pdf", pdf_with_pages(["a"]), title="Plan", render=False)
    _, key = api_token_create(name="CRM", user=rep)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    rows = {a["slug"]: a for a in client.get("/api/v1/assets/").json()["results"]}
    first = rows[ready.slug]
    assert (first["page_count"], first["rendition_status"], first["rendition_error"]) == (3, "ready", "")
    assert first["thumbnail_url"] == f"http://testserver/api/v1/assets/{ready.slug}/thumbnail/"
    assert rows[failed.slug]["rendition_status"] == "failed"
    assert "not a readable PowerPoint deck" in rows[failed.slug]["rendition_error"]
    assert rows[failed.slug]["thumbnail_url"] is None and rows[failed.slug]["page_count"] is None
    assert rows[queued.slug]["rendition_status"] == "queued"
    picture = client.get(first["thumbnail_url"])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/webp"
    assert client.get(f"/api/v1/assets/{failed.slug}/thumbnail/").status_code == 404
