"""Admin for the buyer side: the map from CRM contact-role names to buyer roles."""

from __future__ import annotations

from django.contrib import admin

from enablement.buyers.models import RoleMap


@admin.register(RoleMap)
class RoleMapAdmin(admin.ModelAdmin):
    """Which buyer role each CRM's role name means; imports stop on a name mapped nowhere."""

    list_display = ["crm_role", "source", "role"]
    list_editable = ["role"]
    list_filter = ["source", "role"]
    search_fields = ["crm_role"]
