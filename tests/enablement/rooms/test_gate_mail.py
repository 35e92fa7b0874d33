"""A mail server that refuses or never answers cannot turn the email gate into a 500 or a queue: the
code is stored and the room's lock let go before the mail is sent, EMAIL_TIMEOUT bounds the wait,
and the buyer is told to try again."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enablement.rooms.gate import NOT_SENT
from enablement.rooms.models import EmailChallenge
from tests.enablement.rooms.conftest import SMTP, make_room
from tests.servers import free_port


@contextmanager
def smtp_that_never_answers() -> Iterator[tuple[int, threading.Event]]:
    """A port that accepts connections and never says a word (a hung mail server)."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return
            accepted.set()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        server.close()
        for connection in held:
            connection.close()


def ask_for_code(client: Client, room, email: str = "dana@initech.example"):
    return client.post(reverse("room-buyer", args=[room.token]), {"email": email})


@pytest.mark.django_db
def test_a_mail_server_that_refuses_tells_the_buyer_to_try_again_and_logs_why(
    settings, rep, deal, assets, caplog
):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = SMTP, "127.0.0.1", free_port()
    room = make_room(rep=rep, deal=deal, assets=assets, email_gate=True)
    response = ask_for_code(Client(), room)
    assert response.status_code == 403
    assert NOT_SENT in response.text
    assert 'for="gate-email"' in response.text  # still the email step, to try again
    assert "the code email could not be sent" in caplog.text
    challenge = EmailChallenge.objects.get()
    assert challenge.expires_at <= timezone.now()  # never sent, so it opens nothing


@pytest.mark.django_db(transaction=True)
def test_a_hung_mail_server_answers_the_buyer_within_the_timeout_and_delays_no_one_else(
    settings, rep, deal, assets
):
    room = make_room(rep=rep, deal=deal, assets=assets, email_gate=True, passcode="blue-heron")
    first, second = Client(), Client()
    entered = first.post(reverse("room-buyer", args=[room.token]), {"passcode": "blue-heron"})
    assert entered.status_code == 302
    with smtp_that_never_answers() as (port, accepted):
        settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = SMTP, "127.0.0.1", port
        settings.EMAIL_TIMEOUT = 1
        answered: dict = {}

        def ask() -> None:
            started = time.monotonic()
            answered["response"] = ask_for_code(first, room)
            answered["seconds"], answered["at"] = time.monotonic() - started, time.monotonic()

        asking = threading.Thread(target=ask)
        asking.start()
        assert accepted.wait(10), "the gate never reached the mail server"
        started = time.monotonic()
        other = second.post(reverse("room-buyer", args=[room.token]), {"passcode": "blue-heron"})
        passcode_seconds, passcode_done = time.monotonic() - started, time.monotonic()
        asking.join(15)
    assert other.status_code == 302  # the other buyer's passcode went through ...
    assert passcode_seconds < 1 and passcode_done < answered["at"]  # ... while the mail still hung
    assert NOT_SENT in answered["response"].text
    assert answered["seconds"] < 3
