"""Signing in through the portal's and the admin's login forms, and failing to."""

from __future__ import annotations

PORTAL_LOGIN = "/accounts/login/"

ADMIN_LOGIN = "/admin/login/"

PASSWORD = "pw-for-tests"  # the factories' password


def log_in(client, url: str, username: str, password: str, **extra):
    return client.post(url, {"username": username, "password": password, "next": "/"}, **extra)


def fail(client, url: str, username: str, times: int) -> None:
    for attempt in range(times):
        response = log_in(client, url, username, f"wrong-{attempt}")
        assert response.status_code in (200, 429)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session
