from __future__ import annotations

from django.urls import path

from enablement.buyers import views

urlpatterns = [
    path("profile/", views.profile_page, name="buyer-profile"),
    path("profile/propose/", views.profile_propose, name="buyer-profile-propose"),
    path(
        "profile/<int:version>/approve/",
        views.profile_decide,
        {"decision": "approve"},
        name="buyer-profile-approve",
    ),
    path(
        "profile/<int:version>/reject/",
        views.profile_decide,
        {"decision": "reject"},
        name="buyer-profile-reject",
    ),
    path("deals/<int:pk>/roles/", views.deal_role_add, name="deal-role-add"),
    path("deals/<int:pk>/roles/<int:member_id>/remove/", views.deal_role_remove, name="deal-role-remove"),
    path("deals/<int:pk>/qualification/", views.qualification_save, name="deal-qualification"),
]
