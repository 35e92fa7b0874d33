"""Chunked bodies (config.request_bodies), attacked: the spooled body is closed with the response and on
an error (not left to the collector, which frees a request only with its reference cycles); a body
still coded (`gzip, chunked`, which gunicorn takes and hands over compressed) is refused with 501, not
given to the parsers as if plain."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from django.core import signals
from django.db import close_old_connections

from config.request_bodies import ChunkedBodies
from config.wsgi import application
from enablement.models import UsageEvent

EVENTS = [{"event_id": "chunked-1", "deal_id": "R1", "asset": "roi-calculator", "action": "viewed"}]


@pytest.fixture
def in_process(db):
    """Requests handled in the test's thread and transaction, as Django's test client does them."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _environ(body: bytes, *, path="/api/v1/usage-events/", kind="application/json", coding="chunked", key=""):
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


def _serve(app, environ: dict) -> tuple[str, bytes]:
    """As a WSGI server does: the reply read, then closed."""
    said = {}
    reply = app(environ, lambda status, headers: said.update(status=status))
    try:
        content = b"".join(reply)
    finally:
        if hasattr(reply, "close"):
            reply.close()
    return said["status"], content


def test_the_spooled_body_is_closed_with_the_response(in_process, world):
    environ = _environ(json.dumps(EVENTS).encode(), key=world["key"])
    status, reply = _serve(application, environ)
    assert status.startswith("200") and json.loads(reply)["created"] == 1
    assert environ["wsgi.input"].closed


def test_the_spooled_body_is_closed_when_the_application_fails():
    seen = []

    def failing(environ, start_response):
        seen.append(environ["wsgi.input"])
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ChunkedBodies(failing)(_environ(b"[]"), lambda status, headers: None)
    assert seen and seen[0].closed


def test_a_body_still_coded_is_refused_not_parsed(in_process, world):
    environ = _environ(gzip.compress(json.dumps(EVENTS).encode()), coding="gzip, chunked", key=world["key"])
    status, reply = _serve(application, environ)
    assert status.startswith("501"), (status, reply)
    assert json.loads(reply) == {
        "detail": "Transfer-Encoding other than chunked is not supported; send the body uncompressed."
    }
    assert not UsageEvent.objects.exists()
