"""Integration tokens: one per integration (a CRM webhook, a BI tool), acting for one user.

Only a SHA-256 hash of the key is stored; the key is shown once, when the token is made. A token
has its user's permissions, so a rep's token sees that rep's deals only.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from rest_framework import authentication, exceptions, throttling

from config.audit.context import API_TOKEN, acting_as
from config.audit.services import audit_record
from config.cache_outage import CACHE_ERRORS, CacheBreaker, WarnNowAndThen

KEY_BYTES = 30
logger = logging.getLogger(__name__)
cache_warnings = WarnNowAndThen(logger)
throttle_breaker = CacheBreaker()


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A named API key for one integration, revocable by admins."""

    name = models.CharField(max_length=100, unique=True, help_text="What uses it, e.g. “Salesforce webhook”.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The token acts for this user, with this user's permissions.",
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=8, editable=False, help_text="The key's first characters, to tell keys apart."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        app_label = "enablement"
        ordering = ["name"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def api_token_create(*, name: str, user) -> tuple[ApiToken, str]:
    """Make a token; returns it and its key, which is not stored and cannot be shown again."""
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken.objects.create(name=name, user=user, key_hash=key_hash(key), prefix=key[:8])
    audit_record(event="api_token.created", target=token, data={"acts_for": user.get_username()})
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(event="api_token.revoked", target=token)
    return token


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` with an integration token."""

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
        if token is None or not token.active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        acting_as(via=API_TOKEN, name=token.name, user=token.user)
        return token.user, token


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """A rate per integration token (or per user for the portal's session)."""

    scope = "api"

    def allow_request(self, request, view) -> bool:
        if throttle_breaker.open:
            return True  # the cache failed moments ago: don't make every request wait for it again
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            # Fail open: the counts live in the cache, and an outage of the cache must not take the API
            # down (nor lose the usage events posted meanwhile). The rate applies again once it is back.
            throttle_breaker.tripped()
            cache_warnings("Cache unreachable, API requests are not throttled: %s", exc)
            return True

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
