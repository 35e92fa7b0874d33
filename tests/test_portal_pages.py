"""The login page and the home page a person sees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_login_page_has_labelled_username_and_password_fields(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert '<label for="id_username">Username</label>' in response.text
    assert '<label for="id_password">Password</label>' in response.text


def test_home_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_logging_in_lands_on_home_with_published_assets_only(client, rep):
    AssetFactory(title="Visible battlecard")
    AssetFactory(title="Secret draft", draft=True)
    response = client.post(
        "/accounts/login/", {"username": rep.username, "password": "pw-for-tests"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Visible battlecard" in response.text
    assert "Secret draft" not in response.text


def test_wrong_password_shows_an_error_and_no_session(client, rep):
    response = client.post("/accounts/login/", {"username": rep.username, "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.text
    assert "_auth_user_id" not in client.session
