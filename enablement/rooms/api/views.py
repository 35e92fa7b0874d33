"""Deal rooms and their visits for integrations (a CRM's timeline): read-only, deals' visibility."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets

from config.api.common import ERRORS
from enablement.rooms.api.serializers import RoomSerializer, VisitSerializer
from enablement.rooms.models import DealRoom, PageView, Visit
from enablement.rooms.selectors import rooms_visible_to, with_visit_count


@extend_schema_view(
    list=extend_schema(
        summary="Deal rooms (reps: of their own deals)", responses={200: RoomSerializer, **ERRORS}
    ),
    retrieve=extend_schema(summary="One deal room", responses={200: RoomSerializer, **ERRORS}),
)
class RoomViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RoomSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DealRoom.objects.none()
        return (
            with_visit_count(rooms_visible_to(self.request.user))
            .select_related("created_by")
            .prefetch_related("items__asset")
            .order_by("-created_at", "pk")
        )


PAGE_VIEWS = Prefetch(
    "page_views", queryset=PageView.objects.select_related("asset").order_by("asset_id", "page")
)


@extend_schema(
    summary="Visits of a deal room, with seconds per page",
    description="Only visits whose page ran and sent events (a link preview's fetch is none).",
    responses={200: VisitSerializer, **ERRORS},
)
class RoomVisitList(generics.ListAPIView):
    serializer_class = VisitSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Visit.objects.none()
        room = get_object_or_404(rooms_visible_to(self.request.user), pk=self.kwargs["pk"])
        return (
            room.visits.confirmed()
            .select_related("viewer")
            .prefetch_related("notifications", PAGE_VIEWS)
            .order_by("-started_at", "pk")
        )
