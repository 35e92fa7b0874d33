"""Password sign-in beside single sign-on: SSO_ENFORCED keeps only the break-glass superuser on
passwords, django-axes still counts wrong ones, and password reset by email is for password users."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from config import integrations
from tests.factories import UserFactory
from tests.logins import ADMIN_LOGIN, PASSWORD, PORTAL_LOGIN, fail, log_in, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def enforced(settings):
    settings.SSO_ENFORCED = True


def test_with_sso_enforced_a_password_user_is_refused_with_the_reason(client, rep, enforced):
    response = log_in(client, PORTAL_LOGIN, rep.username, PASSWORD)
    assert response.status_code == 200
    assert "Password sign-in is off" in response.text
    assert not logged_in(client)
    refused = LogEntry.objects.get(additional_data__event="sign_in.refused")
    assert refused.object_pk == str(rep.pk)


def test_with_sso_enforced_the_break_glass_superuser_signs_in_with_a_password(client, admin_user, enforced):
    log_in(client, PORTAL_LOGIN, admin_user.username, PASSWORD)
    assert logged_in(client)


def test_with_sso_enforced_the_admin_login_refuses_staff_who_are_not_superusers(client, marketer, enforced):
    response = log_in(client, ADMIN_LOGIN, marketer.username, PASSWORD)
    assert "Password sign-in is off" in response.text
    assert not logged_in(client)


def test_wrong_passwords_still_lock_the_account_with_sso_enforced(client, admin_user, enforced, settings):
    fail(client, PORTAL_LOGIN, admin_user.username, settings.AXES_FAILURE_LIMIT)
    response = log_in(client, PORTAL_LOGIN, admin_user.username, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_login_page_offers_a_reset_and_a_password_user_gets_a_link_that_does_not_sign_in(client, rep):
    page = client.get(PORTAL_LOGIN)
    assert "Forgot your password?" in page.text
    response = client.post("/accounts/password_reset/", {"email": rep.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "A-new-pw-4567", "new_password2": "A-new-pw-4567"}
    )
    assert done.status_code == 302
    assert not logged_in(client), "a reset never signs in: the next sign-in goes through axes"
    log_in(client, PORTAL_LOGIN, rep.username, "A-new-pw-4567")
    assert logged_in(client)


def test_a_reset_counts_no_sign_in_failures_away(client, rep, settings):
    fail(client, PORTAL_LOGIN, rep.username, settings.AXES_FAILURE_LIMIT)
    client.post("/accounts/password_reset/", {"email": rep.email})
    assert log_in(client, PORTAL_LOGIN, rep.username, PASSWORD).status_code == 429


def test_nobody_who_signs_in_through_the_identity_provider_gets_a_reset_link(client):
    sso_person = UserFactory(username="sso.person", email="sso.person@example.com")
    sso_person.set_unusable_password()
    sso_person.save()
    client.post("/accounts/password_reset/", {"email": "sso.person@example.com"})
    assert mail.outbox == []


def test_with_sso_enforced_only_superusers_get_a_reset_link(client, rep, admin_user, enforced):
    client.post("/accounts/password_reset/", {"email": rep.email})
    assert mail.outbox == []
    client.post("/accounts/password_reset/", {"email": admin_user.email})
    assert len(mail.outbox) == 1


def test_without_mail_configured_there_is_no_password_reset(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert client.get("/accounts/password_reset/").status_code == 404
    assert "Forgot your password?" not in client.get(PORTAL_LOGIN).text


def test_the_group_map_is_read_strictly(monkeypatch):
    monkeypatch.setenv("OIDC_GROUP_MAP", "okta-sales=Reps; okta-mktg=Marketing ;it=Admins")
    assert integrations._group_map("OIDC_GROUP_MAP") == {
        "okta-sales": "Reps",
        "okta-mktg": "Marketing",
        "it": "Admins",
    }
    monkeypatch.setenv("OIDC_GROUP_MAP", "okta-sales=Sales")
    with pytest.raises(ImproperlyConfigured, match=r"OIDC_GROUP_MAP.*okta-sales=Sales"):
        integrations._group_map("OIDC_GROUP_MAP")


def test_an_incomplete_oidc_configuration_names_what_is_missing(monkeypatch):
    monkeypatch.setenv("OIDC_ISSUER", "https://example.okta.com")
    monkeypatch.delenv("OIDC_CLIENT_ID", raising=False)
    monkeypatch.delenv("OIDC_CLIENT_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="OIDC_CLIENT_ID, OIDC_CLIENT_SECRET"):
        integrations._oidc_apps()
    monkeypatch.setenv("OIDC_CLIENT_ID", "abc")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "xyz")
    monkeypatch.setenv("OIDC_NAME", "Okta")
    (app,) = integrations._oidc_apps()
    assert (app["name"], app["settings"]["server_url"]) == ("Okta", "https://example.okta.com")
    monkeypatch.setenv("OIDC_ISSUER", "example.okta.com")
    with pytest.raises(ImproperlyConfigured, match="OIDC_ISSUER"):
        integrations._oidc_apps()


def test_the_login_page_offers_the_configured_provider_and_allows_its_form_to_leave(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "oidc",
                    "name": "Okta",
                    "client_id": "abc",
                    "secret": "xyz",
                    "settings": {"server_url": "https://example.okta.com/oauth2/default"},
                }
            ]
        }
    }
    page = client.get(PORTAL_LOGIN)
    assert "Sign in with Okta" in page.text
    assert 'action="/accounts/oidc/oidc/login/"' in page.text
    assert "form-action 'self' https://example.okta.com" in page["Content-Security-Policy"]


def test_a_provider_added_in_the_admin_is_offered_on_the_login_page(admin_client, client):
    response = admin_client.post(
        "/admin/socialaccount/socialapp/add/",
        {
            "provider": "openid_connect",
            "provider_id": "entra",
            "name": "Entra ID",
            "client_id": "1f0c…",
            "secret": "s3cret",
            "key": "",
            "settings": '{"server_url": "https://login.microsoftonline.com/tenant-id/v2.0"}',
        },
    )
    assert response.status_code == 302, response.content
    page = client.get(PORTAL_LOGIN)
    assert "Sign in with Entra ID" in page.text
    assert 'action="/accounts/oidc/entra/login/"' in page.text
    assert "https://login.microsoftonline.com" in page["Content-Security-Policy"]
    entry = LogEntry.objects.filter(content_type__model="socialapp").get()
    assert "s3cret" not in str(entry.changes)
