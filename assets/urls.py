from __future__ import annotations

from django.urls import path

from assets import views

urlpatterns = [
    path("assets/<slug:slug>/download/", views.asset_download, name="asset-download"),
    path("assets/<slug:slug>/file/", views.asset_file, name="asset-file"),
    path("assets/<slug:slug>/pages/", views.asset_pages, name="asset-pages"),
    path("assets/<slug:slug>/thumbnail/", views.asset_thumbnail, name="asset-thumbnail"),
    path("assets/<slug:slug>/feedback/", views.asset_feedback, name="asset-feedback"),
    path("requests/", views.content_requests, name="content-requests"),
    path("requests/<int:pk>/vote/", views.content_request_vote, name="content-request-vote"),
]
