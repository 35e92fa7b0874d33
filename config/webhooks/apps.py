from __future__ import annotations

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "config.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from config.webhooks import retries  # noqa: F401 (registers beat's task for due retries)
        from config.webhooks.models import Endpoint

        auditlog.register(Endpoint, mask_fields=["secret"])
