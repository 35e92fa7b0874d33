from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from rest_framework.test import APIClient

from assets.models import FunnelStage
from enablement.api.tokens import api_token_create
from enablement.deals.history import deal_stage_change
from enablement.rooms.services import room_create
from tests.factories import AssetFactory, DealFactory, UserFactory


@pytest.fixture
def world(db):
    """Two reps with a deal each, marketing, an admin, and an integration token acting for the admin."""
    rep, other = UserFactory(username="api-rep", role="Reps"), UserFactory(username="api-other", role="Reps")
    marketer = UserFactory(username="api-marketing", role="Marketing", is_staff=True)
    admin = UserFactory(username="api-admin", role="Admins", is_staff=True)
    deal, others_deal = DealFactory(external_id="R1", owner=rep), DealFactory(external_id="O1", owner=other)
    for d in (deal, others_deal):
        deal_stage_change(
            deal=d,
            stage=FunnelStage.objects.get(slug="proposal"),
            entered_at=timezone.now() - timedelta(days=2),
        )
    asset = AssetFactory(slug="roi-calculator", title="ROI calculator")
    integration = UserFactory(username="salesforce-sync", role="Admins")
    _, key = api_token_create(name="Salesforce webhook", user=integration)
    return {
        "rep": rep,
        "other": other,
        "marketing": marketer,
        "admin": admin,
        "deal": deal,
        "others_deal": others_deal,
        "asset": asset,
        "key": key,
        "room": room_create(deal=deal, by=rep, title="Globex evaluation"),
    }


def client_for(world: dict, actor: str) -> APIClient:
    client = APIClient()
    if actor == "token":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world['key']}")
    elif actor != "anonymous":
        client.force_authenticate(world[actor])
    return client


@pytest.fixture
def in_process(db):
    """Requests handled by the WSGI application in the test's thread and transaction, as Django's test
    client does them."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def wsgi_post(
    body: bytes, *, path="/api/v1/usage-events/", kind="application/json", coding="chunked", key=""
) -> dict:
    """The environ gunicorn makes of a POST whose body came in chunks: decoded, `wsgi.input_terminated`."""
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_AUTHORIZATION": f"Token {key}",
        "HTTP_TRANSFER_ENCODING": coding,
        "CONTENT_TYPE": kind,
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def served(app, environ: dict) -> tuple[str, bytes]:
    """As a WSGI server does: the reply read, then closed."""
    said = {}
    reply = app(environ, lambda status, headers: said.update(status=status))
    try:
        content = b"".join(reply)
    finally:
        if hasattr(reply, "close"):
            reply.close()
    return said["status"], content
