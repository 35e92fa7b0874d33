"""The audit trail in the admin (*Audit log*): read-only, filtered by event, who acted and when."""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin
from auditlog.filters import ResourceTypeFilter
from auditlog.models import LogEntry
from django.contrib import admin
from django.http import HttpRequest

from config.audit import selectors
from config.audit.events import EVENTS

VIAS = {
    "user": "A person (portal or admin)",
    "api_token": "An API token",
    "scim": "SCIM provisioning",
    "system": "The system (tasks, commands)",
    "anonymous": "Nobody signed in",
}


class EventFilter(admin.SimpleListFilter):
    title = "event"
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return sorted(EVENTS.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(additional_data__event=self.value()) if self.value() else queryset


class ViaFilter(admin.SimpleListFilter):
    title = "done through"
    parameter_name = "via"

    def lookups(self, request, model_admin):
        return list(VIAS.items())

    def queryset(self, request, queryset):
        return queryset.filter(additional_data__via=self.value()) if self.value() else queryset


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(LogEntryAdmin):
    """Nobody adds, changes or deletes entries here; the retention setting deletes old ones."""

    list_display = ["created", "event", "resource_url", "msg_short", "who", "via"]
    list_filter = [EventFilter, ViaFilter, "action", ResourceTypeFilter, "timestamp"]
    search_fields = ["object_repr", "actor__username", "actor_email", "actor__email"]
    readonly_fields = [*LogEntryAdmin.readonly_fields, "event", "who", "via", "details", "remote_addr"]
    fieldsets = [
        (None, {"fields": ["created", "event", "who", "via", "resource_url", "remote_addr", "cid"]}),
        ("Changes", {"fields": ["action", "msg", "details"]}),
    ]

    @admin.display(description="Event")
    def event(self, entry: LogEntry) -> str:
        return selectors.event_label(selectors.entry_event(entry))

    @admin.display(description="Who")
    def who(self, entry: LogEntry) -> str:
        return selectors.entry_who(entry)

    @admin.display(description="Through")
    def via(self, entry: LogEntry) -> str:
        return selectors.entry_via(entry)

    @admin.display(description="Details")
    def details(self, entry: LogEntry) -> dict:
        return selectors.entry_details(entry)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
