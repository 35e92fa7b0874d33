"""Catalogue endpoints: reps read published assets; marketing writes through the services."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action

from assets import services
from assets.api.serializers import AssetSerializer, BuyerRoleSerializer, FunnelStageSerializer
from assets.choices import AssetKind, AssetStatus
from assets.models import Asset, BuyerRole, FunnelStage
from assets.renditions.views import thumbnail_response
from assets.search import HEAVY_FIELDS, assets_matching
from assets.selectors import assets_visible_to
from config.api.common import ERRORS, ModelPermissionsForWrites
from config.api.pagination import CursorWithPageNumbers


class AssetPages(CursorWithPageNumbers):
    ordering = ("title", "pk")  # indexed: asset_api_order, asset_status_api_order


class AssetFilter(django_filters.FilterSet):
    # Bounded as the portal's search box is: SQLite refuses LIKE patterns over 50,000 bytes.
    q = django_filters.CharFilter(
        method="search", label="Words in the title, summary or files", max_length=200
    )
    buyer_role = django_filters.CharFilter(field_name="buyer_roles__slug", distinct=True)
    stage = django_filters.CharFilter(field_name="stages__slug", distinct=True)
    kind = django_filters.ChoiceFilter(choices=AssetKind.choices)
    status = django_filters.ChoiceFilter(choices=AssetStatus.choices)

    class Meta:
        model = Asset
        fields = ["q", "buyer_role", "stage", "kind", "status"]

    def search(self, queryset, name, value):
        return assets_matching(queryset, value.strip()) if value.strip() else queryset


@extend_schema_view(
    list=extend_schema(
        summary="Assets the caller may see (reps: published only)", responses={200: AssetSerializer, **ERRORS}
    ),
    retrieve=extend_schema(summary="One asset", responses={200: AssetSerializer, **ERRORS}),
    create=extend_schema(
        summary="Create a draft asset (marketing)", responses={201: AssetSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change an asset (marketing)", responses={200: AssetSerializer, **ERRORS}
    ),
)
class AssetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    pagination_class = AssetPages
    permission_classes = [ModelPermissionsForWrites]
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            assets_visible_to(self.request.user)
            .select_related("current_version__rendition")
            .prefetch_related("buyer_roles", "stages")
            .defer(*HEAVY_FIELDS)
            .order_by("title")
        )

    @transaction.atomic
    def perform_create(self, serializer: AssetSerializer) -> None:
        data = serializer.validated_data
        asset = services.asset_create(
            title=data["title"],
            kind=data["kind"],
            owner=self.request.user,
            slug=data.get("slug") or None,
            summary=data.get("summary", ""),
            guidance=data.get("guidance", ""),
            external_url=data.get("external_url", ""),
            buyer_roles=data.get("buyer_roles"),
            stages=data.get("stages"),
            review_by=data.get("review_by"),
            audience=data.get("audience"),
        )
        if "status" in data:  # a draft first; any other status through its rule
            asset, _ = services.asset_update(
                asset=asset, data={"status": data["status"]}, by=self.request.user
            )
        serializer.instance = asset

    @extend_schema(
        summary="The thumbnail of page 1 (WebP)",
        responses={(200, "image/webp"): OpenApiTypes.BINARY, **ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="thumbnail", url_name="api-thumbnail")
    def thumbnail(self, request, slug: str | None = None) -> HttpResponse:
        return thumbnail_response(self.get_object())

    def perform_update(self, serializer: AssetSerializer) -> None:
        try:
            serializer.instance, _ = services.asset_update(
                asset=serializer.instance, data=serializer.validated_data, by=self.request.user
            )
        except ValidationError as exc:  # the service names the model's field; the API calls it url
            errors = getattr(exc, "error_dict", None) or {}
            if "external_url" not in errors:
                raise
            raise ValidationError({"url": exc.message_dict["external_url"]}) from None


class _BySlug(viewsets.ReadOnlyModelViewSet):
    """Read-only reference data, looked up by slug, unpaginated (a few rows)."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    pagination_class = None


class StageViewSet(_BySlug):
    """The funnel, in order, with the definitions both teams agreed on."""

    queryset = FunnelStage.objects.all()
    serializer_class = FunnelStageSerializer


class BuyerRoleViewSet(_BySlug):
    queryset = BuyerRole.objects.all()
    serializer_class = BuyerRoleSerializer
