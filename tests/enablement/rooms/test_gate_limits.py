"""A hostile visitor with the link can neither lock the real buyer out of a room nor use its email gate
to flood inboxes: limits are per client (a keyed hash of its address), under a room-wide ceiling."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enablement.rooms import gate
from enablement.rooms.models import EmailChallenge, PasscodeFailure
from enablement.rooms.tasks import visits_close_idle
from tests.enablement.rooms.conftest import make_room
from tests.outage import answers_fast

pytestmark = pytest.mark.django_db

GUESSER = "203.0.113.66"
BUYER = "198.51.100.20"


@pytest.fixture
def locked_room(rep, deal, assets):
    return make_room(rep=rep, deal=deal, assets=assets, passcode="blue-heron")


@pytest.fixture
def gated_room(rep, deal, assets):
    return make_room(rep=rep, deal=deal, assets=assets, email_gate=True)


def passcode(room, words: str, address: str, **headers):
    return Client().post(
        reverse("room-buyer", args=[room.token]), {"passcode": words}, REMOTE_ADDR=address, **headers
    )


def guess_many(room, address: str, times: int = gate.PASSCODE_FAILURES) -> None:
    for _ in range(times):
        assert passcode(room, "guess", address).status_code == 403


def fail_from_many_clients(room, failures: int) -> None:
    """Wrong passcodes spread over clients, none of them paused on its own."""
    for n in range(failures):
        address = f"192.0.2.{n // (gate.PASSCODE_FAILURES - 1)}"
        assert not gate.passcode_check(
            room=room, passcode="guess", client=gate.client_hash(room=room, address=address)
        )


def test_one_clients_wrong_passcodes_do_not_lock_out_another_client(locked_room):
    guess_many(locked_room, GUESSER)
    buyer = passcode(locked_room, "blue-heron", BUYER)
    assert buyer.status_code == 302
    assert passcode(locked_room, "guess", GUESSER).status_code == 403


def test_a_paused_client_is_refused_even_the_right_passcode_and_told_when_to_try_again(locked_room):
    guess_many(locked_room, GUESSER)
    paused = passcode(locked_room, "blue-heron", GUESSER)
    assert paused.status_code == 403
    assert "Too many wrong passcodes from your connection; try again in 15 minutes." in paused.text
    PasscodeFailure.objects.update(failed_at=timezone.now() - timedelta(minutes=14, seconds=30))
    assert "try again in 1 minute." in passcode(locked_room, "blue-heron", GUESSER).text


def test_a_paused_client_gets_in_once_its_pause_has_passed(locked_room):
    guess_many(locked_room, GUESSER)
    PasscodeFailure.objects.update(failed_at=timezone.now() - timedelta(minutes=16))
    assert passcode(locked_room, "blue-heron", GUESSER).status_code == 302


def test_the_room_ceiling_pauses_everyone_and_warns_the_log(locked_room, caplog):
    fail_from_many_clients(locked_room, gate.ROOM_PASSCODE_FAILURES - 1)
    with caplog.at_level(logging.WARNING, logger="enablement.rooms.gate"):
        assert passcode(locked_room, "guess", "192.0.2.250").status_code == 403
    assert f"room {locked_room.pk}" in caplog.text and "paused" in caplog.text
    fresh = passcode(locked_room, "blue-heron", BUYER)
    assert fresh.status_code == 403
    assert "Too many wrong passcodes were given for this room" in fresh.text
    assert "try again in 15 minutes" in fresh.text
    PasscodeFailure.objects.update(failed_at=timezone.now() - timedelta(minutes=16))
    assert passcode(locked_room, "blue-heron", BUYER).status_code == 302


def test_a_paused_client_adds_nothing_to_the_room_ceiling(locked_room):
    guess_many(locked_room, GUESSER, times=gate.ROOM_PASSCODE_FAILURES)
    assert PasscodeFailure.objects.count() == gate.PASSCODE_FAILURES
    assert passcode(locked_room, "blue-heron", BUYER).status_code == 302


def test_addresses_in_one_ipv6_network_are_one_client(locked_room):
    guess_many(locked_room, "2001:db8:1:2::1")
    assert passcode(locked_room, "blue-heron", "2001:db8:1:2:ffff::9").status_code == 403
    assert passcode(locked_room, "blue-heron", "2001:db8:1:3::1").status_code == 302


def test_a_forged_forwarded_for_header_does_not_make_a_new_client(locked_room):
    guess_many(locked_room, GUESSER)
    forged = passcode(locked_room, "blue-heron", GUESSER, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert forged.status_code == 403


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(locked_room, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    proxy = "127.0.0.1"
    for _ in range(gate.PASSCODE_FAILURES):
        passcode(locked_room, "guess", proxy, HTTP_X_FORWARDED_FOR=f"10.9.9.9, {GUESSER}")
    assert passcode(locked_room, "blue-heron", proxy, HTTP_X_FORWARDED_FOR=GUESSER).status_code == 403
    assert passcode(locked_room, "blue-heron", proxy, HTTP_X_FORWARDED_FOR=BUYER).status_code == 302


def test_no_raw_address_is_stored_for_a_wrong_passcode(locked_room, gated_room):
    passcode(locked_room, "guess", GUESSER)
    Client().post(
        reverse("room-buyer", args=[gated_room.token]), {"email": "p@initech.com"}, REMOTE_ADDR=GUESSER
    )
    out = io.StringIO()
    call_command("dumpdata", "enablement", stdout=out)
    assert PasscodeFailure.objects.count() == 1 and EmailChallenge.objects.count() == 1
    assert GUESSER not in out.getvalue()
    assert gate.client_hash(room=locked_room, address=GUESSER) != gate.client_hash(
        room=gated_room, address=GUESSER
    )


def ask_code(room, email: str, address: str):
    return Client().post(reverse("room-buyer", args=[room.token]), {"email": email}, REMOTE_ADDR=address)


def test_one_client_cannot_have_codes_sent_to_many_addresses(gated_room):
    for n in range(gate.ADDRESSES_PER_CLIENT_HOUR):
        assert ask_code(gated_room, f"person{n}@initech.com", GUESSER).status_code == 200
    refused = ask_code(gated_room, "someone.else@initech.com", GUESSER)
    assert refused.status_code == 403
    assert "different addresses" in refused.text and "try again in 60 minutes" in refused.text
    assert len(mail.outbox) == gate.ADDRESSES_PER_CLIENT_HOUR
    # The same client may still ask again for an address it used; another client is not held back.
    assert ask_code(gated_room, "person0@initech.com", GUESSER).status_code == 200
    assert ask_code(gated_room, "peter@initech.com", BUYER).status_code == 200


def test_an_address_is_sent_a_few_codes_an_hour_and_told_when_to_ask_again(gated_room):
    for n in range(gate.CODES_PER_ADDRESS_HOUR):
        assert ask_code(gated_room, "peter@initech.com", f"192.0.2.{n}").status_code == 200
    refused = ask_code(gated_room, "peter@initech.com", BUYER)
    assert refused.status_code == 403
    assert "Too many codes were sent to this address; try again in 60 minutes." in refused.text


def test_a_room_sends_a_modest_number_of_codes_an_hour(gated_room):
    assert gate.CODES_PER_ROOM_HOUR <= 30
    for n in range(gate.CODES_PER_ROOM_HOUR):
        client = gate.client_hash(room=gated_room, address=f"192.0.2.{n}")
        gate.email_challenge_send(room=gated_room, email=f"person{n}@initech.com", client=client)
    with pytest.raises(ValidationError, match="for this room; try again in 60 minutes"):
        gate.email_challenge_send(room=gated_room, email="peter@initech.com", client="another")
    EmailChallenge.objects.update(created_at=timezone.now() - timedelta(minutes=45))
    refused = ask_code(gated_room, "peter@initech.com", BUYER)
    assert refused.status_code == 403 and "try again in 15 minutes" in refused.text
    assert len(mail.outbox) == gate.CODES_PER_ROOM_HOUR


def test_with_redis_down_the_passcode_and_email_limits_hold_without_an_error(
    locked_room, gated_room, redis_down
):
    with answers_fast():
        guess_many(locked_room, GUESSER)
        assert passcode(locked_room, "blue-heron", GUESSER).status_code == 403
        assert passcode(locked_room, "blue-heron", BUYER).status_code == 302
        for n in range(gate.ADDRESSES_PER_CLIENT_HOUR):
            assert ask_code(gated_room, f"person{n}@initech.com", GUESSER).status_code == 200
        assert ask_code(gated_room, "someone.else@initech.com", GUESSER).status_code == 403


def test_a_clients_hash_is_forgotten_an_hour_after_its_code_request(gated_room):
    ask_code(gated_room, "peter@initech.com", GUESSER)
    EmailChallenge.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    ask_code(gated_room, "paula@initech.com", BUYER)
    kept = dict(EmailChallenge.objects.values_list("email", "client_hash"))
    assert kept["peter@initech.com"] == ""
    assert kept["paula@initech.com"] == gate.client_hash(room=gated_room, address=BUYER)


def test_ipv4_clients_seen_through_a_dual_stack_socket_are_each_their_own_client(locked_room):
    # A server listening on [::] sees IPv4 clients as ::ffff:a.b.c.d: one /64 would hold them all.
    guess_many(locked_room, f"::ffff:{GUESSER}")
    assert passcode(locked_room, "blue-heron", f"::ffff:{BUYER}").status_code == 302
    assert passcode(locked_room, "blue-heron", GUESSER).status_code == 403


def test_a_proxy_that_appends_the_clients_port_does_not_make_each_connection_a_new_client(
    locked_room, settings
):
    settings.TRUSTED_PROXY_HOPS = 1
    for port in range(40000, 40000 + gate.PASSCODE_FAILURES):
        passcode(locked_room, "guess", "127.0.0.1", HTTP_X_FORWARDED_FOR=f"{GUESSER}:{port}")
    refused = passcode(locked_room, "blue-heron", "127.0.0.1", HTTP_X_FORWARDED_FOR=f"{GUESSER}:50001")
    assert refused.status_code == 403
    assert (
        passcode(locked_room, "blue-heron", "127.0.0.1", HTTP_X_FORWARDED_FOR="[2001:db8::1]:443").status_code
        == 302
    )


def test_the_sweep_forgets_clients_hashes_when_no_one_tries_the_gate_again(locked_room, gated_room):
    passcode(locked_room, "guess", GUESSER)
    ask_code(gated_room, "peter@initech.com", GUESSER)
    PasscodeFailure.objects.update(failed_at=timezone.now() - timedelta(minutes=16))
    EmailChallenge.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    visits_close_idle.run()
    assert not PasscodeFailure.objects.exists()
    assert list(EmailChallenge.objects.values_list("client_hash", flat=True)) == [""]
