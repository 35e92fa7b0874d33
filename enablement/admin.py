"""Django loads `<app>.admin`; each enablement package registers its own models in its admin module.

A deal's page is put together here: deals is the lowest package, so the inlines of the packages above
it (the buying committee, the uses) join its admin at the top."""

from __future__ import annotations

from django.contrib import admin

from enablement.analytics import admin as analytics_admin
from enablement.api import admin as api_admin
from enablement.buyers import admin as buyers_admin
from enablement.deals import admin as deals_admin
from enablement.deals.models import Deal
from enablement.importers import admin as importers_admin
from enablement.rooms import admin as rooms_admin
from enablement.sharing import admin as sharing_admin
from enablement.usage import admin as usage_admin

__all__ = [
    "analytics_admin",
    "api_admin",
    "buyers_admin",
    "deals_admin",
    "importers_admin",
    "rooms_admin",
    "sharing_admin",
    "usage_admin",
]


@admin.register(Deal)
class DealAdmin(deals_admin.DealAdmin):
    inlines = [deals_admin.StageChangeInline, buyers_admin.DealRoleInline, usage_admin.UsageInline]
