"""Chunked bodies (config.request_bodies), attacked: the spooled body is closed with the response and on
an error (not left to the collector, which frees a request only with its reference cycles); a body
still coded (`gzip, chunked`, which gunicorn takes and hands over compressed) is refused with 501, not
given to the parsers as if plain; a portal form with files at the size cap is not refused, as with a
Content-Length; DATA_UPLOAD_MAX_MEMORY_SIZE = None (no limit, for Django) does not make every chunked
API body too large."""

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


def test_a_portal_form_with_files_at_the_cap_is_not_refused(in_process, settings):
    """The import form takes a file, a stage map and a role map of up to UPLOAD_MAX_MB each; sent with
    a Content-Length, Django takes them; sent in chunks, they were a 413 (the limit was one file)."""
    settings.UPLOAD_MAX_MB, settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1, 100_000  # files weigh more, as here
    parts = [b'--B\r\nContent-Disposition: form-data; name="source"\r\n\r\nnative\r\n']
    for name in ("file", "stage_map_file", "role_map_file"):
        parts.append(
            f'--B\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
            + b"a" * (1024 * 1024)
            + b"\r\n"
        )
    body = b"".join(parts) + b"--B--\r\n"
    environ = _environ(body, path="/admin/enablement/importrun/add/", kind="multipart/form-data; boundary=B")
    status, _ = _serve(application, environ)
    assert not status.startswith("413"), status
    assert environ["CONTENT_LENGTH"] == str(len(body))


def test_no_data_limit_does_not_refuse_every_chunked_api_body(in_process, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    status, reply = _serve(application, _environ(json.dumps(EVENTS).encode(), key=world["key"]))
    assert status.startswith("200") and json.loads(reply)["created"] == 1, (status, reply)
