"""Shared pieces of the API: permissions and documented error answers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from enablement.api.errors import ErrorSerializer

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input: a message per field"),
    401: OpenApiResponse(ErrorSerializer, description="No or bad credentials"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for this user"),
    404: OpenApiResponse(ErrorSerializer, description="Not found (or not visible to this user)"),
    413: OpenApiResponse(ErrorSerializer, description="The body is larger than the site accepts"),
    415: OpenApiResponse(ErrorSerializer, description="The body is not JSON"),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests for this token"),
}


class ModelPermissionsForWrites(permissions.DjangoModelPermissions):
    """Any signed-in user may read (what the queryset lets them see); writes need the model permission."""

    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": [], "HEAD": [], "OPTIONS": []}


class CanSeeAnalytics(permissions.BasePermission):
    message = "Analytics are for marketing and admins."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("assets.view_analytics")
        )
