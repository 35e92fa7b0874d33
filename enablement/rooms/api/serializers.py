from __future__ import annotations

from rest_framework import serializers

from enablement.rooms.models import DealRoom, RoomItem, Visit


class RoomItemSerializer(serializers.ModelSerializer):
    asset = serializers.CharField(source="asset.slug")
    title = serializers.CharField(source="asset.title")

    class Meta:
        model = RoomItem
        fields = ["order", "asset", "title", "reason"]


class RoomSerializer(serializers.ModelSerializer):
    deal_id = serializers.CharField(source="deal.external_id")
    deal_source = serializers.CharField(source="deal.source")
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    active = serializers.SerializerMethodField()
    visits = serializers.IntegerField(
        source="visit_count", help_text="Visits whose page ran (link previews and mail scanners are none)."
    )
    items = RoomItemSerializer(many=True)

    class Meta:
        model = DealRoom
        fields = [
            "id",
            "title",
            "deal_id",
            "deal_source",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "active",
            "allow_download",
            "email_gate",
            "visits",
            "items",
        ]

    def get_active(self, room: DealRoom) -> bool:
        return room.is_active()


class PageSecondsSerializer(serializers.Serializer):
    asset = serializers.CharField(source="asset.slug")
    page = serializers.IntegerField()
    seconds = serializers.FloatField()


class VisitSerializer(serializers.ModelSerializer):
    viewer = serializers.CharField(
        source="viewer.label", help_text="The verified email, or an anonymous label."
    )
    new_viewer = serializers.SerializerMethodField()
    pages = PageSecondsSerializer(source="page_views", many=True)

    class Meta:
        model = Visit
        fields = ["id", "viewer", "new_viewer", "started_at", "ended_at", "pages"]

    def get_new_viewer(self, visit: Visit) -> bool:
        """The viewer's first visit in a room another viewer opened before."""
        return any(n.kind == "new_viewer" for n in visit.notifications.all())
