"""Admin for accounts, deals (their history shown read-only) and stage mappings. The deal's page also
shows its buying committee and usage: enablement/admin.py adds those packages' inlines, as they sit
above deals."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from config.admin_inlines import ReadOnlyInline
from enablement.deals.models import Account, Deal, StageChange, StageMap
from enablement.deals.services import account_update
from enablement.templatetags.money import money


class StageChangeInline(ReadOnlyInline):
    """The history is shown, never edited: it only grows, through imports, the API or services."""

    model = StageChange
    fields = ["stage", "entered_at", "external_id", "recorded_at"]
    readonly_fields = fields
    ordering = ["entered_at", "pk"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "size", "region", "source"]
    list_filter = ["source", "industry", "region"]
    search_fields = ["name", "external_id", "industry"]

    def save_model(self, request: HttpRequest, obj: Account, form, change: bool) -> None:
        if change:
            account_update(account=obj, changed=form.changed_data)
        else:
            super().save_model(request, obj, form, change)


class DealAdmin(admin.ModelAdmin):
    """Registered in enablement/admin.py, with the inlines of the packages above deals."""

    list_display = [
        "name",
        "account",
        "owner",
        "compact_amount",
        "current_stage",
        "created_at",
        "closed_at",
        "source",
    ]
    list_filter = ["source", "current_stage", ("owner", admin.RelatedOnlyFieldListFilter), "currency"]
    list_select_related = ["account", "owner", "current_stage"]
    search_fields = ["name", "external_id", "account__name"]
    autocomplete_fields = ["account", "owner"]
    readonly_fields = ["current_stage", "closed_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [StageChangeInline]
    fields = [
        "source",
        "external_id",
        "name",
        "account",
        "owner",
        "amount",
        "currency",
        "created_at",
        "current_stage",
        "closed_at",
        "updated_at",
    ]

    @admin.display(description="Amount", ordering="amount")
    def compact_amount(self, deal: Deal) -> str:
        return money(deal.amount, deal.currency)


@admin.register(StageMap)
class StageMapAdmin(admin.ModelAdmin):
    list_display = ["crm_stage", "source", "stage"]
    list_editable = ["stage"]
    list_filter = ["source", "stage"]
    search_fields = ["crm_stage"]


# Analytics runs (with each step's time) live beside the engine.
