"""A request without a Host header is refused (or served) as one with that host in the header: the same
400 with the same security headers, never a 500, and no host outside ALLOWED_HOSTS gets through."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy")


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/", "/nowhere/"])
def test_a_host_less_request_for_a_host_not_allowed_is_the_same_400_as_one_naming_it(path):
    named = Client().get(path, HTTP_HOST="elsewhere.example.net")
    host_less = Client().get(path, SERVER_NAME="elsewhere.example.net")
    assert named.status_code == host_less.status_code == 400
    assert {h: host_less.headers.get(h) for h in SECURITY_HEADERS} == {
        h: named.headers.get(h) for h in SECURITY_HEADERS
    }
    assert all(named.headers.get(h) for h in SECURITY_HEADERS)


@pytest.mark.parametrize(
    "server_name, port",
    [("elsewhere.example.net", "80"), ("localhost", "abc"), ("localhost/x", "80"), ("", "80")],
)
def test_a_host_less_request_with_a_bad_server_name_or_port_is_400(server_name, port):
    assert Client().get("/accounts/login/", SERVER_NAME=server_name, SERVER_PORT=port).status_code == 400


@override_settings(USE_X_FORWARDED_HOST=True)
def test_a_forwarded_host_not_allowed_is_400_with_or_without_host():
    assert (
        Client()
        .get("/accounts/login/", SERVER_NAME="localhost", HTTP_X_FORWARDED_HOST="evil.net")
        .status_code
        == 400
    )
    assert (
        Client().get("/accounts/login/", HTTP_HOST="localhost", HTTP_X_FORWARDED_HOST="evil.net").status_code
        == 400
    )


def test_a_host_less_request_for_an_allowed_server_name_is_served():
    assert Client().get("/accounts/login/", SERVER_NAME="localhost", SERVER_PORT="8000").status_code == 200
