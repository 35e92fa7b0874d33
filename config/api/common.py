"""Shared pieces of the API: the documented error answers and the read/write permission."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from config.api.errors import ErrorSerializer

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
