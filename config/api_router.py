"""The one API router: /api/v1/…"""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from assets.api.views import AssetViewSet, BuyerRoleViewSet, StageViewSet
from enablement.api import views
from enablement.rooms.api.views import RoomViewSet, RoomVisitList

router = DefaultRouter()
router.register("assets", AssetViewSet, basename="asset")
router.register("stages", StageViewSet, basename="stage")
router.register("buyer-roles", BuyerRoleViewSet, basename="buyer-role")
router.register("deals", views.DealViewSet, basename="deal")
router.register("rooms", RoomViewSet, basename="room")

urlpatterns = [
    path("deals/<str:deal_id>/stage-changes/", views.StageChangeList.as_view(), name="deal-stage-changes"),
    path("rooms/<int:pk>/visits/", RoomVisitList.as_view(), name="room-visits"),
    path("usage-events/", views.UsageEventIngest.as_view(), name="usage-events"),
    path("analytics/stages/", views.AnalyticsStages.as_view(), name="analytics-stages-api"),
    path("analytics/assets/", views.AnalyticsAssets.as_view(), name="analytics-assets-api"),
    path("analytics/gaps/", views.AnalyticsGaps.as_view(), name="analytics-gaps-api"),
    path("analytics/build-next/", views.AnalyticsBuildNext.as_view(), name="analytics-build-next-api"),
    *router.urls,
]
