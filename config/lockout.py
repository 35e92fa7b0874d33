"""The page a person sees when django-axes has locked their username (settings: AXES_LOCKOUT_CALLABLE),
and how long axes' records of logins are kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

TOO_MANY_REQUESTS = 429


def lockout_unlock_at(*, username: str, request: HttpRequest) -> datetime | None:
    """When the lock lifts at the latest: the last failure plus the cool-off; None if only an admin can
    lift it. Failures from several addresses may expire earlier, so this is an upper bound."""
    cool_off = get_cool_off(request)
    if not cool_off:
        return None
    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))["last"]
    return last + cool_off if last else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    username = get_client_username(request, credentials) or ""
    context = {
        "username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "unlock_at": lockout_unlock_at(username=username, request=request),
    }
    return render(request, "registration/locked_out.html", context, status=TOO_MANY_REQUESTS)


def login_records_purge(*, now: datetime | None = None) -> int:
    """Delete login records older than LOGIN_RECORDS_RETENTION_DAYS: django-axes keeps each login's
    and each failed attempt's IP address and user agent, and would keep them for ever. A username
    that is locked until an administrator unlocks it (LOGIN_LOCKOUT_MINUTES=0) keeps its attempts:
    deleting them would unlock it. Returns the rows deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.LOGIN_RECORDS_RETENTION_DAYS)
    deleted = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    attempts = AccessAttempt.objects.filter(attempt_time__lt=cutoff)
    if not settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(failures_since_start__lt=settings.AXES_FAILURE_LIMIT)
    return deleted + attempts.delete()[0]
