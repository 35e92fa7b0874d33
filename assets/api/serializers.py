from __future__ import annotations

from rest_framework import serializers

from assets.choices import AssetKind, AssetStatus
from assets.models import Asset, BuyerRole, FunnelStage


class FunnelStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = FunnelStage
        fields = ["slug", "name", "order", "outcome", "definition", "entry_criteria"]


class BuyerRoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = BuyerRole
        fields = ["slug", "name", "description"]


class AssetSerializer(serializers.ModelSerializer):
    """An asset as integrations read and write it; roles and stages by slug."""

    buyer_roles = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=BuyerRole.objects.all(), required=False
    )
    stages = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=FunnelStage.objects.all(), required=False
    )
    kind = serializers.ChoiceField(choices=AssetKind.choices)
    status = serializers.ChoiceField(
        choices=AssetStatus.choices,
        required=False,
        help_text="Set through its rule: publishing needs a file or a URL (else a 400 naming status).",
    )
    version = serializers.IntegerField(source="current_version.number", read_only=True, allow_null=True)
    url = serializers.URLField(source="external_url", required=False, allow_blank=True, max_length=500)

    class Meta:
        model = Asset
        fields = [
            "slug",
            "title",
            "kind",
            "summary",
            "guidance",
            "url",
            "buyer_roles",
            "stages",
            "status",
            "published_at",
            "review_by",
            "version",
            "updated_at",
        ]
        read_only_fields = ["published_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}}
