from __future__ import annotations

from django.urls import path

from enablement.rooms import buyer, views

urlpatterns = [
    path("deals/<int:pk>/rooms/", views.room_create, name="room-create"),
    path("rooms/items/", views.room_item_add, name="room-item-add"),
    path("rooms/<int:pk>/withdraw/", views.room_withdraw, name="room-withdraw"),
    path("buyer-activity/emails/", views.alert_emails, name="buyer-alert-emails"),
    path("r/<str:token>/", buyer.room_buyer, name="room-buyer"),
    path("r/<str:token>/a/<int:asset_id>/", buyer.room_asset, name="room-asset"),
    path("r/<str:token>/file/<int:asset_id>/", buyer.room_file, name="room-file"),
    path("r/<str:token>/pages/<int:asset_id>/", buyer.room_pages, name="room-pages"),
    path("r/<str:token>/thumbnail/<int:asset_id>/", buyer.room_thumbnail, name="room-thumbnail"),
    path("r/<str:token>/events", buyer.room_events, name="room-events"),
]
