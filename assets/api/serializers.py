from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.choices import AssetKind, AssetStatus, Audience, RenditionStatus
from assets.models import Asset, BuyerRole, FunnelStage
from assets.renditions.selectors import page_count_of, rendition_status_of, thumbnail_of


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
    audience = serializers.ChoiceField(
        choices=Audience.choices,
        required=False,
        help_text="internal: never reaches a buyer. Default: internal for battlecards, else external.",
    )
    page_count = serializers.SerializerMethodField(help_text="Pages of the viewable form, once rendered.")
    thumbnail_url = serializers.SerializerMethodField(help_text="A WebP of page 1, once rendered.")
    rendition_status = serializers.SerializerMethodField()
    rendition_error = serializers.SerializerMethodField(help_text="Why the rendition failed, if it did.")

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
            "audience",
            "page_count",
            "thumbnail_url",
            "rendition_status",
            "rendition_error",
        ]
        read_only_fields = ["published_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}}

    def get_page_count(self, asset: Asset) -> int | None:
        return page_count_of(asset)

    def get_thumbnail_url(self, asset: Asset) -> str | None:
        if thumbnail_of(asset) is None:
            return None
        url = reverse("asset-api-thumbnail", args=[asset.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.ChoiceField(choices=RenditionStatus.choices))
    def get_rendition_status(self, asset: Asset) -> str:
        return rendition_status_of(asset)[0]

    def get_rendition_error(self, asset: Asset) -> str:
        return rendition_status_of(asset)[1]
