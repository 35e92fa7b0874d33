from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete


class EnablementConfig(AppConfig):
    name = "enablement"
    verbose_name = "Deals and usage"

    def ready(self) -> None:
        from enablement.analytics.runs import full_run_needed
        from enablement.deals.models import Deal

        post_delete.connect(full_run_needed, sender=Deal, dispatch_uid="enablement.analytics.deal_deleted")
