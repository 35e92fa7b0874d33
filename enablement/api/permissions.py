"""Who may call the enablement API's analytics endpoints."""

from __future__ import annotations

from rest_framework import permissions


class CanSeeAnalytics(permissions.BasePermission):
    message = "Analytics are for marketing and admins."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("assets.view_analytics")
        )
