"""Sign-ins and sign-outs in the audit trail (Django's auth signals: every way of signing in sends them).

A failed attempt names the username that was tried, never the password; the user, if one exists, is
the entry's object, so an account's history shows the attempts on it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from config.audit.services import audit_record


def _method(request) -> str:
    sociallogin = getattr(request, "_audit_sso_provider", "") if request is not None else ""
    return sociallogin or "password"


def signed_in(sender, request, user, **kwargs) -> None:
    audit_record(event="sign_in.succeeded", target=user, by=user, data={"method": _method(request)})


def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    target = user or ContentType.objects.get_for_model(User)
    audit_record(event="sign_in.failed", target=target, data={"username": username})


def signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(event="sign_out", target=user, by=user)
