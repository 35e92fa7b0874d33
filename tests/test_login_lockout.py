"""Login lockout (django-axes): repeated wrong passwords lock a username on the portal and admin logins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.logins import ADMIN_LOGIN, PASSWORD, PORTAL_LOGIN, fail, log_in, logged_in

pytestmark = pytest.mark.django_db


def test_thirty_wrong_passwords_lock_the_account_then_the_right_password_does_not_log_in(client, rep):
    fail(client, PORTAL_LOGIN, rep.username, 30)
    response = log_in(client, PORTAL_LOGIN, rep.username, PASSWORD)
    assert response.status_code == 429
    assert "Account locked" in response.text
    assert not logged_in(client)
    assert client.get(reverse("home")).status_code == 302  # still sent to log in


def test_twenty_nine_wrong_passwords_still_let_the_right_password_in(client, rep):
    fail(client, PORTAL_LOGIN, rep.username, 29)
    response = log_in(client, PORTAL_LOGIN, rep.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_thirty_wrong_passwords_lock_the_admin_login_too(client, admin_user):
    fail(client, ADMIN_LOGIN, admin_user.username, 30)
    response = log_in(client, ADMIN_LOGIN, admin_user.username, PASSWORD)
    assert response.status_code == 429 and "Account locked" in response.text
    assert not logged_in(client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_locked_out_person_is_told_when_to_retry_and_to_ask_an_admin(client, rep):
    fail(client, PORTAL_LOGIN, rep.username, 30)
    response = log_in(client, PORTAL_LOGIN, rep.username, PASSWORD)
    assert response["Content-Type"].startswith("text/html")
    assert f"30 failed log-in attempts for <strong>{rep.username}</strong>" in response.text
    unlock_at = AccessAttempt.objects.get(username=rep.username).attempt_time + timedelta(minutes=30)
    assert f"Try again after <strong>{unlock_at:%-d %b %Y, %H:%M} UTC</strong>" in response.text
    assert "Ask an administrator to unlock the account" in response.text
    assert '<link rel="stylesheet"' in response.text  # the portal's page, not a bare error text


def test_without_a_cool_off_the_page_says_only_an_admin_can_unlock(client, rep, settings):
    settings.AXES_COOLOFF_TIME = None
    fail(client, PORTAL_LOGIN, rep.username, 30)
    response = log_in(client, PORTAL_LOGIN, rep.username, PASSWORD)
    assert response.status_code == 429
    assert "stays locked until an administrator unlocks it" in response.text


def test_the_lock_is_per_username_so_a_colleague_at_the_same_office_address_still_logs_in(client, rep):
    colleague = UserFactory(role="Reps")
    fail(client, PORTAL_LOGIN, rep.username, 30)
    response = log_in(client, PORTAL_LOGIN, colleague.username, PASSWORD)  # same REMOTE_ADDR
    assert response.status_code == 302 and logged_in(client)


def test_the_lock_follows_the_username_to_another_address(client, rep):
    fail(client, PORTAL_LOGIN, rep.username, 30)
    response = log_in(client, PORTAL_LOGIN, rep.username, PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429 and not logged_in(client)


def test_the_lock_lifts_after_the_cool_off(client, rep):
    fail(client, PORTAL_LOGIN, rep.username, 30)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    response = log_in(client, PORTAL_LOGIN, rep.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_failure_limit_is_a_setting(client, rep, settings):
    settings.AXES_FAILURE_LIMIT = 3
    fail(client, PORTAL_LOGIN, rep.username, 3)
    assert log_in(client, PORTAL_LOGIN, rep.username, PASSWORD).status_code == 429


def test_an_admin_unlocks_the_account_in_the_admin(client, rep, admin_user):
    fail(client, PORTAL_LOGIN, rep.username, 30)
    attempt = AccessAttempt.objects.get(username=rep.username)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"), {"q": rep.username})
    assert listing.status_code == 200 and rep.username in listing.text
    delete = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert delete.status_code == 302
    client.logout()
    assert log_in(client, PORTAL_LOGIN, rep.username, PASSWORD).status_code == 302 and logged_in(client)


def test_failures_are_counted_in_the_database_so_a_cache_outage_changes_nothing(client, rep, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    fail(client, PORTAL_LOGIN, rep.username, 30)
    assert log_in(client, PORTAL_LOGIN, rep.username, PASSWORD).status_code == 429
    # 30 wrong passwords and the refused right one: every attempt while locked counts too.
    assert AccessAttempt.objects.get(username=rep.username).failures_since_start == 31


NEW_PASSWORD = "a-new-Passw0rd-for-tests"


@pytest.mark.parametrize("url", ["/accounts/password_change/", "/admin/password_change/"])
def test_thirty_wrong_current_passwords_on_the_password_change_form_lock_the_account(client, url):
    user = UserFactory(role="Marketing", is_staff=True)
    client.force_login(user)
    new = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for attempt in range(30):
        client.post(url, {"old_password": f"wrong-{attempt}", **new})
    client.post(url, {"old_password": PASSWORD, **new})
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # the guess that hit did not change it
    client.logout()
    assert log_in(client, PORTAL_LOGIN, user.username, PASSWORD).status_code == 429


def test_without_mail_configured_the_password_reset_pages_are_not_served(client, mailoutbox, settings):
    """The console backend would print a valid reset link for any address into the server's log."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    UserFactory(username="ada", email="ada@example.com", role="Admins", is_staff=True, is_superuser=True)
    assert client.get("/accounts/password_reset/").status_code == 404
    client.post("/accounts/password_reset/", {"email": "ada@example.com"})
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("url", "done"),
    [("/accounts/password_change/", "/accounts/password_change/done/"), ("/admin/password_change/", None)],
)
def test_the_right_current_password_still_changes_the_password(client, url, done):
    user = UserFactory(role="Marketing", is_staff=True)
    client.force_login(user)
    assert client.get(url).status_code == 200
    new = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    wrong = client.post(url, {"old_password": "not-it", **new})
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.text
    changed = client.post(url, {"old_password": PASSWORD, **new})
    assert changed.status_code == 302 and changed["Location"] == (done or "/admin/password_change/done/")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
