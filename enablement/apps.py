from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete


class EnablementConfig(AppConfig):
    name = "enablement"
    verbose_name = "Deals and usage"

    def ready(self) -> None:
        from django.conf import settings

        from assets.models import Asset
        from enablement.analytics.runs import full_run_needed, reading_deleted
        from enablement.deals.models import Deal
        from enablement.rooms.models import Visit

        for sender in (Deal, Asset, settings.AUTH_USER_MODEL):
            post_delete.connect(full_run_needed, sender=sender, dispatch_uid=f"analytics.full_run.{sender}")
        post_delete.connect(reading_deleted, sender=Visit, dispatch_uid="analytics.full_run.visit")
