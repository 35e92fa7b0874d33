"""The OpenAPI schema holds: schemathesis against the live server finds no server error and no
response that breaks the schema (bounded in examples and time)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from enablement.api.tokens import api_token_create
from tests.factories import AssetFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/usage-events/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert b"cdn.jsdelivr" not in docs.content  # the UI is served from our own static files


def test_unknown_api_paths_answer_json(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_schemathesis_finds_no_server_error_and_no_response_breaking_the_schema(live_server):
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    if st is None:
        pytest.skip("schemathesis is not installed (it comes with the dev extras)")
    admin = UserFactory(username="fuzz-admin", role="Admins", is_staff=True, is_superuser=True)
    DealFactory(external_id="F1", owner=admin)
    AssetFactory(slug="fuzz-asset")
    _, key = api_token_create(name="schemathesis", user=admin)
    result = subprocess.run(
        [
            st,
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Token {key}",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            "15",
            "--request-timeout",
            "20",
            "--phases",
            "examples,coverage,fuzzing",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
