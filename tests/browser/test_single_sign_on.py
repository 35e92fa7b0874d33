"""A full sign-in in Debian's Chromium through a real OpenID Connect provider (node's oidc-provider,
started by the test on 127.0.0.1), group mapping on the first sign-in, and logout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.factories import UserFactory
from tests.servers import free_port, wait_for_port

PROVIDER = Path(__file__).resolve().parent / "oidc"


@pytest.fixture
def oidc_provider(live_server, settings):
    if shutil.which("node") is None or not (PROVIDER / "node_modules" / "oidc-provider").exists():
        pytest.skip("needs node and `npm ci` in tests/browser/oidc (.ci/run does both)")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": "enablement-test",
        "CLIENT_SECRET": "a-test-secret-long-enough-for-hs256-signing-0123456789",
        "REDIRECT_URI": f"{live_server.url}/accounts/oidc/company-sso/login/callback/",
        "GROUPS": json.dumps({"mara": ["okta-marketing", "everyone"], "rex": ["everyone"]}),
    }
    process = subprocess.Popen(
        ["node", "server.js"], cwd=PROVIDER, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(port, seconds=20)
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": "company-sso",
                        "name": "Company SSO",
                        "client_id": env["CLIENT_ID"],
                        "secret": env["CLIENT_SECRET"],
                        "settings": {"server_url": issuer, "scope": ["openid", "profile", "email", "groups"]},
                    }
                ]
            }
        }
        settings.OIDC_GROUP_MAP = {"okta-marketing": "Marketing"}
        settings.SSO_DEFAULT_GROUP = "Reps"
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def _sign_in_at_the_provider(page: Page, name: str) -> None:
    page.locator("input[name=login]").fill(name)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    # oidc-provider's development consent screen
    page.locator("button[type=submit]").click()


def test_a_person_signs_in_through_the_identity_provider_lands_in_their_group_and_logs_out(
    page: Page, live_server, oidc_provider, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    button = page.get_by_role("button", name="Sign in with Company SSO")
    expect(button).to_be_visible()
    screenshot("login-sso-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(button).to_be_visible()
    screenshot("login-sso-390")
    page.set_viewport_size({"width": 1280, "height": 800})

    button.click()
    _sign_in_at_the_provider(page, "mara")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    user = User.objects.get(username="mara")
    assert list(user.groups.values_list("name", flat=True)) == ["Marketing"]
    assert user.is_staff and not user.has_usable_password()
    assert user.email == "mara@example.com"

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")


def test_a_provisioned_person_is_signed_in_as_themselves_with_the_default_group(
    page: Page, live_server, oidc_provider
):
    """SCIM made the account first (same email, no password, no group): the sign-in is linked to it."""
    provisioned = UserFactory(username="rex.t", email="rex@example.com")
    provisioned.set_unusable_password()
    provisioned.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Company SSO").click()
    _sign_in_at_the_provider(page, "rex")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert not User.objects.filter(username="rex").exists()
    assert SocialAccount.objects.get(uid="rex").user == provisioned
    assert list(provisioned.groups.values_list("name", flat=True)) == ["Reps"]
