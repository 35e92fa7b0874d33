"""Webhook URLs: http(s) only, and never the server's own network unless WEBHOOK_ALLOW_PRIVATE says so."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from config.webhooks import attempts, services
from config.webhooks.addresses import url_refusal
from config.webhooks.models import Delivery, DeliveryStatus, Endpoint
from config.webhooks.sending import post
from tests.webhooks.receiver import Receiver


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_loopback_private_and_metadata_addresses_are_refused_by_default(url):
    assert "public addresses only" in url_refusal(url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.com/hook", "not an http:// or https:// URL"),
        ("file:///etc/passwd", "not an http:// or https:// URL"),
        ("http:///hook", "names no host"),
        ("https://user:pw@example.com/hook", "user name or password"),
        ("http://example.com:99999/", "is not a URL"),
        ("https://no-such-host.invalid/hook", "could not be resolved"),
    ],
)
def test_other_unusable_urls_are_refused_with_the_reason(url, words):
    assert words in url_refusal(url)


def test_a_private_address_is_allowed_when_the_setting_says_so(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert url_refusal("http://127.0.0.1:8000/hook") is None


def test_the_command_refuses_127_0_0_1_by_default(db):
    with pytest.raises(CommandError, match="public addresses only"):
        call_command(
            "webhook", "add", "http://127.0.0.1:9/hook", "--events", "asset.published", "--secret", "s"
        )
    assert not Endpoint.objects.exists()


def test_the_command_names_unknown_events(db, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    with pytest.raises(CommandError, match=r"Unknown event.*asset\.deleted"):
        call_command("webhook", "add", "http://127.0.0.1:9/hook", "--events", "asset.deleted")


def test_the_command_registers_an_endpoint(db, settings, capsys):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    call_command(
        "webhook",
        "add",
        "http://127.0.0.1:9/hook",
        "--events",
        "asset.published,share.viewed",
        "--secret",
        "s3",
    )
    endpoint = Endpoint.objects.get()
    assert (endpoint.url, endpoint.events, endpoint.secret) == (
        "http://127.0.0.1:9/hook",
        ["asset.published", "share.viewed"],
        "s3",
    )
    assert "Endpoint" in capsys.readouterr().out


def test_an_address_that_became_private_is_not_sent_to(db, settings):
    """DNS may change after registration: each send checks again, and the attempt fails with the reason."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    endpoint = services.endpoint_add(url="http://127.0.0.1:9/hook", events=["asset.published"])
    settings.WEBHOOK_ALLOW_PRIVATE = False
    services.webhook_emit(event="asset.published", data={"slug": "x"})
    delivery = attempts.delivery_attempt(delivery_id=Delivery.objects.get(endpoint=endpoint).pk)
    assert delivery.status == DeliveryStatus.PENDING
    assert "public addresses only" in delivery.last_error


def test_a_redirect_is_not_followed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        outcome = post(
            url=f"http://127.0.0.1:{server.server_address[1]}/", body=b"{}", secret="s", headers={}
        )
    finally:
        server.shutdown()
        server.server_close()
    assert not outcome.ok
    assert outcome.status_code == 307
    assert "follow no redirects" in outcome.error


def test_a_slow_receiver_times_out(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 1

    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        outcome = post(url=f"http://127.0.0.1:{silent.getsockname()[1]}/", body=b"{}", secret="s", headers={})
    assert not outcome.ok
    assert outcome.status_code is None
    assert "timed out" in outcome.error.lower()


def test_the_admin_form_refuses_loopback(admin_client):
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"name": "x", "url": "http://127.0.0.1:9/hook", "events": ["asset.published"], "format": "json"},
    )
    assert response.status_code == 200
    assert "public addresses only" in response.text
    assert not Endpoint.objects.exists()


def test_the_slack_format_posts_a_line_of_text_signed_like_the_others(
    db, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    with Receiver(secret="s", failures=0) as receiver:
        services.endpoint_add(url=receiver.url, events=["asset.published"], secret="s", format="slack")
        with django_capture_on_commit_callbacks(execute=True):
            services.webhook_emit(
                event="asset.published", data={"slug": "x"}, summary="“Deck” was published."
            )
    assert receiver.bodies == [{"text": "*asset.published*: “Deck” was published."}]
    assert receiver.bad_signatures == 0
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_an_admin_adds_an_endpoint_is_shown_its_secret_and_sends_a_failed_delivery_again(
    admin_client, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    with Receiver(secret="unused", failures=0) as receiver:
        added = admin_client.post(
            reverse("admin:webhooks_endpoint_add"),
            {
                "name": "CRM",
                "url": receiver.url,
                "events": ["asset.published"],
                "format": "json",
                "active": "on",
            },
            follow=True,
        )
        endpoint = Endpoint.objects.get()
        assert endpoint.secret and f"Its secret is {endpoint.secret}" in added.text
        receiver.secret = endpoint.secret
        services.webhook_emit(event="asset.published", data={"slug": "x"})
        delivery = Delivery.objects.get()
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=13)
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                reverse("admin:webhooks_delivery_changelist"),
                {"action": "send_again", "_selected_action": [delivery.pk]},
            )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 14)
    assert [event["id"] for event in receiver.delivered] == [str(delivery.event_id)]
