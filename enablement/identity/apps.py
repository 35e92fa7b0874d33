from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "enablement.identity"
    label = "identity"
    verbose_name = "Sign-in and provisioning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from enablement.identity.models import ScimToken

        auditlog.register(ScimToken, exclude_fields=["key_hash", "last_used_at"])
