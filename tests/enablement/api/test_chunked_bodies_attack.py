"""Chunked bodies (config.request_bodies), attacked: the spooled body is closed with the response and on
an error (not left to the collector, which frees a request only with its reference cycles); a body
still coded (`gzip, chunked`, which gunicorn takes and hands over compressed) is refused with 501, not
given to the parsers as if plain; a portal form with files at the size cap is not refused, as with a
Content-Length; DATA_UPLOAD_MAX_MEMORY_SIZE = None (no limit, for Django) does not make every chunked
API body too large."""

from __future__ import annotations

import gzip
import json

import pytest

from config.request_bodies import ChunkedBodies
from config.wsgi import application
from enablement.models import UsageEvent
from tests.enablement.api.conftest import served, wsgi_post
from tests.enablement.api.payloads import EVENTS


def test_the_spooled_body_is_closed_with_the_response(in_process, world):
    environ = wsgi_post(json.dumps(EVENTS).encode(), key=world["key"])
    status, reply = served(application, environ)
    assert status.startswith("200") and json.loads(reply)["created"] == 1
    assert environ["wsgi.input"].closed


def test_the_spooled_body_is_closed_when_the_application_fails():
    seen = []

    def failing(environ, start_response):
        seen.append(environ["wsgi.input"])
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ChunkedBodies(failing)(wsgi_post(b"[]"), lambda status, headers: None)
    assert seen and seen[0].closed


def test_a_body_still_coded_is_refused_not_parsed(in_process, world):
    environ = wsgi_post(gzip.compress(json.dumps(EVENTS).encode()), coding="gzip, chunked", key=world["key"])
    status, reply = served(application, environ)
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
    environ = wsgi_post(body, path="/admin/enablement/importrun/add/", kind="multipart/form-data; boundary=B")
    status, _ = served(application, environ)
    assert not status.startswith("413"), status
    assert environ["CONTENT_LENGTH"] == str(len(body))


def test_no_data_limit_does_not_refuse_every_chunked_api_body(in_process, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    status, reply = served(application, wsgi_post(json.dumps(EVENTS).encode(), key=world["key"]))
    assert status.startswith("200") and json.loads(reply)["created"] == 1, (status, reply)
