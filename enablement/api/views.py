"""Deals, stage history and usage for integrations; analytics out for BI tools."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, mixins, permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.common import ERRORS, ModelPermissionsForWrites
from config.api.pagination import CursorWhenAsked, CursorWithPageNumbers
from enablement.analytics import gaps
from enablement.analytics.engine import current_run
from enablement.analytics.report import asset_metrics, asset_object, stage_metrics, stage_object
from enablement.api import serializers as s
from enablement.api.permissions import CanSeeAnalytics
from enablement.deals.history import deal_stage_change
from enablement.deals.models import Deal, StageChange
from enablement.deals.selectors import deals_visible_to
from enablement.deals.services import deal_apply
from enablement.deals.stage_names import StageNames
from enablement.usage.ingest import UsageEventInSerializer, usage_ingest


def _deal(request: Request, deal_id: str) -> Deal:
    if "\x00" in deal_id or len(deal_id) > 100:
        raise exceptions.NotFound(f"No deal {deal_id[:100]!r} that you may see.")
    deals = deals_visible_to(request.user).filter(external_id=deal_id)
    if request.query_params.get("source"):
        deals = deals.filter(source=request.query_params["source"])
    found = list(deals[:2])
    if not found:
        raise exceptions.NotFound(f"No deal {deal_id!r} that you may see.")
    if len(found) > 1:
        raise exceptions.ValidationError(
            {"source": [f"Deal id {deal_id!r} exists in several sources; say which with ?source=."]}
        )
    return found[0]


class DealPages(CursorWithPageNumbers):
    ordering = ("-created_at", "pk")  # indexed: deal_api_order, deal_owner_api_order


@extend_schema_view(
    list=extend_schema(summary="Deals (reps: their own)", responses={200: s.DealOutSerializer, **ERRORS}),
    retrieve=extend_schema(
        summary="One deal",
        parameters=[OpenApiParameter("source", str, required=False)],
        responses={200: s.DealOutSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="Create or update a deal by its CRM id (idempotent)",
        request=s.DealInSerializer,
        responses={200: s.DealOutSerializer, 201: s.DealOutSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a deal", request=s.DealInSerializer, responses={200: s.DealOutSerializer, **ERRORS}
    ),
)
class DealViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.DealOutSerializer
    permission_classes = [ModelPermissionsForWrites]
    lookup_field = "external_id"
    lookup_url_kwarg = "deal_id"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["source"]
    pagination_class = DealPages

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Deal.objects.none()
        return (
            deals_visible_to(self.request.user)
            .select_related("account", "owner", "current_stage")
            .prefetch_related("roles__role")
            .order_by("-created_at", "pk")
        )

    def get_object(self) -> Deal:
        deal = _deal(self.request, self.kwargs["deal_id"])
        self.check_object_permissions(self.request, deal)
        return deal

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = s.DealInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        deal, created = deal_apply(source=fields["source"], external_id=fields["deal_id"], fields=fields)
        return Response(s.DealOutSerializer(deal).data, status=status.HTTP_201_CREATED if created else 200)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        deal = self.get_object()
        data = s.DealInSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        deal, _ = deal_apply(
            source=deal.source,
            external_id=deal.external_id,
            fields=fields,
            current=deal,
        )
        return Response(s.DealOutSerializer(deal).data)


class StageChangePages(CursorWhenAsked):
    ordering = ("entered_at", "pk")  # within a deal; indexed: stagechange_deal_order


class StageChangeList(generics.GenericAPIView):
    """A deal's stage history; POST appends a row (sending the same row again changes nothing)."""

    serializer_class = s.StageChangeSerializer
    queryset = StageChange.objects.none()  # rows are read through the deal
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = StageChangePages

    @extend_schema(
        summary="A deal's stage history, oldest first",
        description="Cursor pages of 50 from `?cursor=` (empty for the first page). Deprecated: without "
        "`cursor`, the whole history as one list, as before, with a `Deprecation: true` header.",
        parameters=[
            OpenApiParameter(
                "cursor",
                str,
                required=False,
                description="Empty for the first page, then as given in `next`.",
            )
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="StageChanges",
                serializers=[s.StageChangePageSerializer, s.StageChangeOutSerializer(many=True)],
                resource_type_field_name=None,
                many=False,
            ),
            **ERRORS,
        },
    )
    def get(self, request: Request, deal_id: str) -> Response:
        deal = _deal(request, deal_id)
        rows = deal.stage_changes.select_related("stage").order_by(*StageChangePages.ordering)
        page = self.paginate_queryset(rows)
        if page is None:
            return StageChangePages.unpaged(s.StageChangeOutSerializer(rows, many=True).data)
        return self.get_paginated_response(s.StageChangeOutSerializer(page, many=True).data)

    @extend_schema(
        summary="Append a stage change (stage names go through the stage map)",
        request=s.StageChangeSerializer,
        responses={200: s.StageChangeOutSerializer, 201: s.StageChangeOutSerializer, **ERRORS},
    )
    def post(self, request: Request, deal_id: str) -> Response:
        if not request.user.has_perm("enablement.add_stagechange"):
            raise exceptions.PermissionDenied(
                "Only integrations acting for an admin may write stage history."
            )
        deal = _deal(request, deal_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        stage = StageNames(deal.source).get(data["stage"])
        if stage is None:
            raise exceptions.ValidationError(
                {
                    "stage": [
                        f"No funnel stage or {deal.get_source_display()} stage mapping for {data['stage']!r}."
                    ]
                }
            )
        change, created = deal_stage_change(
            deal=deal, stage=stage, entered_at=data["entered_at"], external_id=data.get("external_id")
        )
        return Response(s.StageChangeOutSerializer(change).data, status=201 if created else 200)


class UsageEventIngest(APIView):
    """POST one usage event or a list of up to 1,000; each is judged on its own."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Record usage events (idempotent by event_id)",
        request=UsageEventInSerializer(many=True),
        responses={200: s.UsageEventReplySerializer, **ERRORS},
        description="The body is one event object or a list of at most 1,000. The reply lists, in order, "
        "whether each event was created, a duplicate (its event_id was already recorded with the same "
        "content) or rejected (with a message per field: among others, the same event_id with different "
        "content, or an occurred_at at or after the deal closed). Events are stored before the reply.",
    )
    def post(self, request: Request) -> Response:
        if not request.user.has_perm("enablement.add_usageevent"):
            raise exceptions.PermissionDenied(
                "Recording usage is for reps and integrations acting for admins."
            )
        payload = request.data
        reply = usage_ingest(user=request.user, items=payload if isinstance(payload, list) else [payload])
        return Response(s.UsageEventReplySerializer(reply).data)


class AnalyticsStages(APIView):
    permission_classes = [CanSeeAnalytics]

    @extend_schema(
        summary="Stage conversion (the funnel scorecard)",
        responses={200: s.StageAnalyticsSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response([stage_object(m) for m in stage_metrics(current_run())])


class AnalyticsAssets(APIView):
    permission_classes = [CanSeeAnalytics]

    @extend_schema(
        summary="Assets and conversion per stage",
        parameters=[
            OpenApiParameter("stage", str, required=False),
            OpenApiParameter("asset", str, required=False),
        ],
        responses={200: s.AssetAnalyticsSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows = asset_metrics(current_run(), stage=request.query_params.get("stage") or None)
        if request.query_params.get("asset"):
            rows = rows.filter(asset__slug=request.query_params["asset"])
        return Response([asset_object(m) for m in rows])


def _cell(c: gaps.Cell, grid: gaps.Coverage) -> dict:
    # The committee's figures are null while no deal has a committee role recorded (c.present None).
    known = c.present is not None
    return {
        "buyer_role": c.role.slug,
        "stage": c.stage.slug,
        "assets": c.assets,
        "used": c.used,
        "best_lift": None if c.best_lift is None else round(c.best_lift, 4),
        "higher_conversion": c.higher,
        "conversion_rate": None if c.conversion is None else round(c.conversion, 4),
        "entered": c.entered,
        "present": c.present,
        "present_of": c.present_of if known else None,
        "present_advanced": c.present_advanced if known else None,
        "present_lost": c.present_lost if known else None,
        "in_profile_only": known and grid.profile is not None,
        "requests": c.requests,
        "votes": c.votes,
        "no_result_searches": c.searches,
    }


class AnalyticsGaps(APIView):
    permission_classes = [CanSeeAnalytics]

    @extend_schema(
        summary="The buyer role × stage coverage grid", responses={200: s.GapSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request) -> Response:
        grid = gaps.coverage(current_run())
        return Response([_cell(grid.cells[(r.pk, st.pk)], grid) for r in grid.roles for st in grid.stages])


class AnalyticsBuildNext(APIView):
    permission_classes = [CanSeeAnalytics]

    @extend_schema(
        summary="Where a new asset would matter most, ranked",
        responses={200: s.BuildNextSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        grid = gaps.coverage(current_run())
        return Response(
            [
                {**_cell(c, grid), "score": round(c.score, 2), "reason": c.reasons[0]}
                for c in gaps.build_next(grid)
            ]
        )
