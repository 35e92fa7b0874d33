from __future__ import annotations

from django.urls import path

from enablement.analytics import views

urlpatterns = [
    path("", views.funnel, name="analytics-funnel"),
    path("assets/", views.assets, name="analytics-assets"),
    path("assets/<slug:slug>/", views.asset_chart, name="analytics-asset"),
    path("coverage/", views.coverage, name="analytics-coverage"),
    path("build-next/", views.build_next, name="analytics-build-next"),
    path("retire/", views.retire, name="analytics-retire"),
    path("stalled/", views.stalled, name="analytics-stalled"),
    path("digest/", views.digest_page, name="analytics-digest"),
]
