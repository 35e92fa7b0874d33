"""Deal rooms in the admin: read-only records (rooms are made on the deal page) with two actions,
withdraw a room and erase a viewer's data."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from enablement.rooms import services
from enablement.rooms.models import DealRoom, PageView, RoomItem, Viewer, Visit


class _ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RoomItemInline(_ReadOnly, admin.TabularInline):
    model = RoomItem
    fields = ["order", "asset", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(DealRoom)
class DealRoomAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["title", "deal", "created_by", "created_at", "expires_at", "email_gate", "active"]
    list_select_related = ["deal", "created_by"]
    list_filter = ["email_gate", "allow_download"]
    search_fields = ["title", "deal__name", "created_by__username"]
    exclude = ["passcode_hash"]
    inlines = [RoomItemInline]
    actions = ["withdraw"]

    @admin.display(boolean=True, description="active")
    def active(self, obj: DealRoom) -> bool:
        return obj.is_active()

    @admin.action(description="Withdraw the selected rooms", permissions=["delete"])
    def withdraw(self, request: HttpRequest, queryset) -> None:
        for room in queryset:
            services.room_revoke(room=room, by=request.user)
        self.message_user(request, f"{queryset.count()} room(s) withdrawn.", messages.SUCCESS)


@admin.register(Viewer)
class ViewerAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "room", "first_seen_at"]
    list_select_related = ["room"]
    search_fields = ["email", "room__title"]
    actions = ["erase"]

    @admin.action(
        description="Erase the selected viewers' data (visits, page times, codes)", permissions=["delete"]
    )
    def erase(self, request: HttpRequest, queryset) -> None:
        viewers = list(queryset)
        visits = sum(services.viewer_erase(viewer=viewer) for viewer in viewers)
        self.message_user(
            request, f"Erased {len(viewers)} viewer(s) and their {visits} visit(s).", messages.SUCCESS
        )


class PageViewInline(_ReadOnly, admin.TabularInline):
    model = PageView
    fields = ["asset", "page", "seconds"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Visit)
class VisitAdmin(_ReadOnly, admin.ModelAdmin):
    # `events` 0: the page never ran (a link preview or scanner); such a visit counts nowhere.
    list_display = ["room", "viewer", "started_at", "ended_at", "events", "summary_sent_at"]
    list_select_related = ["room", "viewer"]
    date_hierarchy = "started_at"
    exclude = ["key"]
    inlines = [PageViewInline]
