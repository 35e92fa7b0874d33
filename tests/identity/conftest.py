"""A SCIM client for the tests: requests to /scim/v2/ with a bearer token, as identity providers send them."""

from __future__ import annotations

import json

import pytest

from enablement.identity.tokens import scim_token_create

SCIM = "application/scim+json"


@pytest.fixture
def scim(client, db):
    _, key = scim_token_create(name="Okta")

    def call(method: str, path: str, body: dict | None = None, **extra):
        return getattr(client, method)(
            f"/scim/v2/{path}",
            data=json.dumps(body) if body is not None else None,
            content_type=SCIM,
            HTTP_AUTHORIZATION=f"Bearer {key}",
            **extra,
        )

    return call
