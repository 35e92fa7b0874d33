from __future__ import annotations

from django.urls import path

from enablement.studio import views

urlpatterns = [
    path("studio/", views.studio, name="studio"),
    path("studio/upload/", views.upload, name="studio-upload"),
    path("studio/<slug:slug>/", views.edit, name="studio-edit"),
    path("studio/<slug:slug>/version/", views.new_version, name="studio-version"),
    path("studio/<slug:slug>/state/", views.state, name="studio-state"),
    path("studio/<slug:slug>/publish/", views.status_set, {"status": "published"}, name="studio-publish"),
    path("studio/<slug:slug>/archive/", views.status_set, {"status": "archived"}, name="studio-archive"),
]
