"""django-axes records each login and failed attempt with its IP address and user agent; they are kept
LOGIN_RECORDS_RETENTION_DAYS and no longer, except a standing lock only an administrator may lift."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.urls import reverse
from django.utils import timezone

from config.lockout import login_records_purge
from enablement.tasks import login_records_purge as purge_task

pytestmark = pytest.mark.django_db


def log_in(client, username: str, password: str):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="198.51.100.4"
    )


def age(model, days: int) -> None:
    model.objects.update(attempt_time=timezone.now() - timedelta(days=days))


def test_records_of_logins_are_forgotten_after_the_retention(client, rep, settings):
    rep.set_password("right-one")
    rep.save()
    log_in(client, rep.username, "wrong-one")
    log_in(client, rep.username, "right-one")
    log_in(client, "someone", "guess")
    assert AccessLog.objects.filter(ip_address="198.51.100.4").exists()
    assert AccessAttempt.objects.filter(username="someone", ip_address="198.51.100.4").exists()
    age(AccessLog, settings.LOGIN_RECORDS_RETENTION_DAYS - 1)
    age(AccessAttempt, settings.LOGIN_RECORDS_RETENTION_DAYS - 1)
    assert purge_task() == 0
    age(AccessLog, settings.LOGIN_RECORDS_RETENTION_DAYS + 1)
    age(AccessAttempt, settings.LOGIN_RECORDS_RETENTION_DAYS + 1)
    assert purge_task() >= 2
    assert not AccessLog.objects.exists() and not AccessAttempt.objects.exists()


def test_a_lock_only_an_administrator_may_lift_is_kept(client, settings):
    settings.AXES_COOLOFF_TIME = None  # LOGIN_LOCKOUT_MINUTES=0
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        log_in(client, "pat", "guess")
    log_in(client, "sam", "guess")
    age(AccessAttempt, settings.LOGIN_RECORDS_RETENTION_DAYS + 1)
    login_records_purge()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["pat"]
