from __future__ import annotations

from django.urls import path

from enablement import views

urlpatterns = [
    path("", views.home, name="home"),
    path("assets/<slug:slug>/use/", views.log_use, name="asset-use"),
    path("assets/<slug:slug>/share/", views.share, name="asset-share"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("s/<str:token>/", views.buyer_view, name="buyer-view"),
    path("s/<str:token>/file/", views.buyer_file, name="buyer-file"),
    path("files/<path:name>", views.stored_file, name="stored-file"),
]
