from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "enablement.identity"
    label = "identity"
    verbose_name = "Sign-in and provisioning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.socialaccount.models import SocialApp
        from auditlog.registry import auditlog

        from enablement.identity.models import ScimToken

        # Who set up or changed a sign-in provider (OIDC or an organisation's SAML IdP) is audited.
        auditlog.register(SocialApp, mask_fields=["secret"])
        auditlog.register(ScimToken, exclude_fields=["key_hash", "last_used_at"])
