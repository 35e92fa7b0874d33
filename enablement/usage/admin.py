"""Admin for usage events: recorded through the usage service, like every other path."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from config.admin_inlines import ReadOnlyInline
from enablement.choices import UsageSource
from enablement.usage.models import UsageEvent
from enablement.usage.rules import usage_after_close
from enablement.usage.services import usage_delete, usage_record


class UsageInline(ReadOnlyInline):
    """A deal's uses on its admin page (enablement/admin.py puts it there)."""

    model = UsageEvent
    fields = ["occurred_at", "asset", "action", "stage", "rep", "source"]
    readonly_fields = fields
    ordering = ["-occurred_at"]


class UsageEventForm(forms.ModelForm):
    def clean(self) -> dict:
        # The service's rule, asked here so a refusal shows on the form instead of failing the save.
        data = super().clean()
        deal, occurred_at = data.get("deal"), data.get("occurred_at")
        if deal is not None and occurred_at is not None:
            problem = usage_after_close(
                deal_label=deal.external_id, closed_at=deal.closed_at, occurred_at=occurred_at
            )
            if problem:
                self.add_error("occurred_at", problem)
        return data


@admin.register(UsageEvent)
class UsageEventAdmin(admin.ModelAdmin):
    form = UsageEventForm
    list_display = ["occurred_at", "asset", "deal", "rep", "action", "stage", "source"]
    list_filter = ["action", "source", "stage", "asset__kind"]
    list_select_related = ["asset", "deal", "rep", "stage"]
    search_fields = ["event_id", "asset__title", "deal__name", "rep__username"]
    autocomplete_fields = ["asset", "deal", "rep"]
    date_hierarchy = "occurred_at"
    fields = ["event_id", "asset", "deal", "rep", "action", "occurred_at", "stage", "source", "asset_version"]
    readonly_fields = ["stage", "source", "asset_version"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # A recorded event is a fact: once saved it is shown, not edited.
        return self.fields if obj else self.readonly_fields

    def delete_model(self, request, obj):
        usage_delete(events=UsageEvent.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        usage_delete(events=queryset)

    def save_model(self, request, obj, form, change):
        if change:
            return
        event, _ = usage_record(
            event_id=obj.event_id,
            asset=obj.asset,
            deal=obj.deal,
            rep=obj.rep,
            action=obj.action,
            occurred_at=obj.occurred_at,
            source=UsageSource.PORTAL,
        )
        obj.pk = event.pk
