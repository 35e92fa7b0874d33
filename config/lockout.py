"""The page a person sees when django-axes has locked their username (settings: AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from datetime import datetime

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
