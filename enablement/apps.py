from __future__ import annotations

from django.apps import AppConfig
from django.db.models import Field
from django.db.models.signals import post_delete


class EnablementConfig(AppConfig):
    name = "enablement"
    verbose_name = "Deals and usage"

    def ready(self) -> None:
        from django.conf import settings

        from assets.models import Asset
        from enablement.analytics.runs import full_run_needed, reading_deleted
        from enablement.analytics.tasks import profile_apply_queue
        from enablement.buyers import events as buyers_events
        from enablement.buyers.services import fit_follows_deals
        from enablement.deals import events as deals_events
        from enablement.deals.models import Deal
        from enablement.lookups import AnyOf
        from enablement.rooms.models import Visit
        from enablement.usage import events as usage_events
        from enablement.usage.stages import usage_stages_follow_history

        Field.register_lookup(AnyOf)
        # A lower package announces, the one above acts (the layers in pyproject.toml).
        deals_events.history_added.connect(usage_stages_follow_history, dispatch_uid="usage.stages")
        deals_events.fit_facts_changed.connect(fit_follows_deals, dispatch_uid="buyers.fit")
        buyers_events.profile_approved.connect(profile_apply_queue, dispatch_uid="analytics.profile_apply")
        usage_events.usage_deleted.connect(full_run_needed, dispatch_uid="analytics.full_run.usage")
        for sender in (Deal, Asset, settings.AUTH_USER_MODEL):
            post_delete.connect(full_run_needed, sender=sender, dispatch_uid=f"analytics.full_run.{sender}")
        post_delete.connect(reading_deleted, sender=Visit, dispatch_uid="analytics.full_run.visit")
