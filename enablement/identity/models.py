from __future__ import annotations

from django.conf import settings
from django.db import models


class ScimToken(models.Model):
    """A bearer token for an identity provider's SCIM client (Okta, Entra ID); only its hash is kept."""

    name = models.CharField(max_length=100, unique=True, help_text="Which provisioning client uses it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "SCIM token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ScimUser(models.Model):
    """What SCIM knows of a user beyond Django's own fields: the identity provider's id for them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim")
    external_id = models.CharField(max_length=255, blank=True)
    provisioned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "provisioned user"

    def __str__(self) -> str:
        return f"{self.user} ({self.external_id or 'no external id'})"
