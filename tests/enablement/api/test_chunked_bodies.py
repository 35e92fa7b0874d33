"""A body sent in chunks (`Transfer-Encoding: chunked`, no `Content-Length`), as HTTP clients that stream
JSON send it, reaches the view whole (config.request_bodies): before, Django read such a body as
empty, and a batch of events was answered as one event missing every field. Called as gunicorn calls
the application (the chunks decoded, `wsgi.input_terminated` set), and through a real gunicorn."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.wsgi import application, django_application
from enablement.models import UsageEvent
from tests.enablement.api.conftest import served, wsgi_post
from tests.enablement.api.payloads import EVENTS
from tests.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[3]


def _call(app, body: bytes, key: str, *, chunked: bool = True, terminated: bool = True) -> tuple[str, dict]:
    environ = wsgi_post(body, key=key)
    if not chunked:
        del environ["HTTP_TRANSFER_ENCODING"]
        environ["CONTENT_LENGTH"] = str(len(body))
    if not terminated:
        del environ["wsgi.input_terminated"]
    status, content = served(app, environ)
    return status, json.loads(content)


def _body_lost(reply: dict) -> bool:
    (result,) = reply["results"]
    return reply["rejected"] == 1 and result["errors"]["event_id"] == ["This field is required."]


def test_a_chunked_batch_is_read_whole(in_process, world):
    body = json.dumps(EVENTS).encode()
    status, reply = _call(application, body, world["key"])
    assert status.startswith("200") and reply["created"] == 1, reply
    assert UsageEvent.objects.filter(event_id="chunked-1").exists()
    # what Django alone made of it: no body at all, so one event without any field
    status, reply = _call(django_application, body, world["key"])
    assert _body_lost(reply)


def test_a_body_with_its_length_and_a_server_that_does_not_decode_chunks_are_left_to_django(
    in_process, world
):
    status, reply = _call(application, json.dumps(EVENTS).encode(), world["key"], chunked=False)
    assert status.startswith("200") and reply["created"] == 1
    # a server that passes chunks undecoded (no wsgi.input_terminated): nothing is read for Django
    _, reply = _call(application, b"5\r\nhello\r\n0\r\n\r\n", world["key"], terminated=False)
    assert _body_lost(reply)


def test_a_chunked_body_over_the_limit_is_refused_before_any_view(in_process, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    many = [{**EVENTS[0], "event_id": f"big-{n}"} for n in range(50)]
    status, reply = _call(application, json.dumps(many).encode(), world["key"])
    assert status.startswith("413")
    assert reply == {"detail": "The request body is larger than 1,000 bytes, the most this site accepts."}
    assert not UsageEvent.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_gunicorn_takes_a_chunked_batch(world):
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_"))}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        DJANGO_SECRET_KEY="chunked-test-key",
        DJANGO_DEBUG="true",
    )
    port = free_port()
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = json.dumps(EVENTS).encode()
        conn.request(
            "POST",
            "/api/v1/usage-events/",
            body=iter([body[:20], body[20:]]),  # an iterable: http.client sends it in chunks
            headers={"Authorization": f"Token {world['key']}", "Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = conn.getresponse()
        reply = json.loads(response.read())
        conn.close()
    finally:
        gunicorn.terminate()
        gunicorn.wait(30)
    assert response.status == 200 and reply["created"] == 1, reply
    assert UsageEvent.objects.filter(event_id="chunked-1").exists()
