"""Admin for accounts, deals (history, buying committee and usage shown read-only) and stage mappings."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from config.admin_inlines import ReadOnlyInline
from enablement.buyers.models import DealRole
from enablement.buyers.services import deals_fit_refresh
from enablement.deals.models import Account, Deal, StageChange, StageMap
from enablement.templatetags.money import money
from enablement.usage.models import UsageEvent


class StageChangeInline(ReadOnlyInline):
    """The history is shown, never edited: it only grows, through imports, the API or services."""

    model = StageChange
    fields = ["stage", "entered_at", "external_id", "recorded_at"]
    readonly_fields = fields
    ordering = ["entered_at", "pk"]


class DealRoleInline(ReadOnlyInline):
    """The buying committee as imported or added by reps; changed in the CRM or the portal, not here."""

    model = DealRole
    fields = ["role", "contact", "is_primary", "source", "external_id", "added_by", "created_at"]
    readonly_fields = fields
    ordering = ["role__name", "contact"]


class UsageInline(ReadOnlyInline):
    model = UsageEvent
    fields = ["occurred_at", "asset", "action", "stage", "rep", "source"]
    readonly_fields = fields
    ordering = ["-occurred_at"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "size", "region", "source"]
    list_filter = ["source", "industry", "region"]
    search_fields = ["name", "external_id", "industry"]

    def save_model(self, request: HttpRequest, obj: Account, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and {"industry", "size", "region"} & set(form.changed_data):
            # The account's deals are scored on these: their fit follows at once.
            deals_fit_refresh(obj.deals.values_list("pk", flat=True))


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
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
    inlines = [StageChangeInline, DealRoleInline, UsageInline]
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
