from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from config.outbox.models import PendingTask


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """What waits for the broker; rows go away by themselves once sent (a row may be deleted by hand)."""

    list_display = ["task", "args", "kwargs", "created_at", "attempts", "last_error"]
    list_filter = ["task"]
    readonly_fields = ["task", "args", "kwargs", "countdown", "created_at", "attempts", "last_error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
