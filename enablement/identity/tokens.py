"""SCIM bearer tokens and the check every /scim/v2/ request passes (django-scim2's AUTH_CHECK_MIDDLEWARE)."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from config.audit.context import SCIM, acting
from config.audit.services import audit_record
from enablement.api.tokens import key_hash
from enablement.identity.models import ScimToken

KEY_BYTES = 32


def scim_token_create(*, name: str, by=None) -> tuple[ScimToken, str]:
    """Make a token; returns it and its key, which is not stored and cannot be shown again."""
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ScimToken.objects.create(name=name, key_hash=key_hash(key), prefix=key[:8])
    audit_record(event="scim_token.created", target=token, by=by)
    return token, key


def scim_token_revoke(*, token: ScimToken, by=None) -> ScimToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(event="scim_token.revoked", target=token, by=by)
    return token


def _unauthorized(detail: str) -> HttpResponse:
    response = HttpResponse(
        f'{{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"{detail}"}}',
        content_type="application/scim+json",
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


class ScimTokenCheck:
    """`Authorization: Bearer <token>` with a live SCIM token, or 401. Sessions never count here: the
    portal's users are not provisioning clients. What the request changes is audited as done by SCIM."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return _unauthorized("Send the SCIM token as Authorization: Bearer <token>.")
        token = ScimToken.objects.filter(key_hash=key_hash(key.strip()), revoked_at__isnull=True).first()
        if token is None:
            return _unauthorized("Invalid or revoked SCIM token.")
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        request.scim_token = token
        with acting(via=SCIM, name=token.name):
            return self.get_response(request, *args, **kwargs)
