"""The catalogue: funnel stages, buyer roles, assets and their versions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from assets.choices import AssetKind, AssetStatus, Audience, StageOutcome


class FunnelStageQuerySet(models.QuerySet):
    def open(self) -> FunnelStageQuerySet:
        """The stages a deal is still in play at (neither won nor lost): the ones assets are tagged with
        and the analytics judge."""
        return self.filter(outcome=StageOutcome.OPEN)


class FunnelStage(models.Model):
    """A step of the funnel, with the definition marketing and sales agreed on.

    `order` places stages; `outcome` says whether reaching the stage ends a deal (won or lost).
    """

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80, unique=True)
    order = models.PositiveIntegerField(default=0, db_index=True)
    outcome = models.CharField(max_length=8, choices=StageOutcome.choices, default=StageOutcome.OPEN)
    definition = models.TextField(blank=True, help_text="What this stage means, in words both teams use.")
    entry_criteria = models.TextField(blank=True, help_text="What must be true for a deal to enter it.")
    landmark_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Days in this stage after which assets are judged (the analytics' time zero). "
        "Empty: the 25th percentile of days to resolution, rounded up.",
    )

    objects = FunnelStageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=StageOutcome.values), name="funnelstage_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.outcome == StageOutcome.OPEN


class BuyerRole(models.Model):
    """A person on the buying side whom an asset is written for (economic buyer, champion…)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Industry(TagBase):
    """An industry an asset speaks to (a free tag)."""

    class Meta:
        verbose_name = "industry"
        verbose_name_plural = "industries"
        ordering = ["name"]


class Product(TagBase):
    """A product an asset is about (a free tag)."""

    class Meta:
        ordering = ["name"]


class TaggedIndustry(ItemBase):
    tag = models.ForeignKey(Industry, on_delete=models.CASCADE, related_name="tagged_assets")
    content_object = models.ForeignKey("Asset", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedindustry_unique")
        ]


class TaggedProduct(ItemBase):
    tag = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="tagged_assets")
    content_object = models.ForeignKey("Asset", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="taggedproduct_unique")]


class Asset(models.Model):
    """A piece of marketing material reps use with buyers.

    Its content is either the file of its current version or an external URL (a video, a hosted
    calculator). Only published assets are visible to reps.
    """

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True)
    guidance = models.TextField("how to use it", blank=True, help_text="When and how a rep should use it.")
    kind = models.CharField(max_length=20, choices=AssetKind.choices)
    external_url = models.URLField("external URL", max_length=500, blank=True)
    buyer_roles = models.ManyToManyField(BuyerRole, blank=True, related_name="assets")
    stages = models.ManyToManyField(FunnelStage, blank=True, related_name="assets")
    industries = TaggableManager("industries", through=TaggedIndustry, blank=True, related_name="+")
    products = TaggableManager("products", through=TaggedProduct, blank=True, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_assets",
    )
    status = models.CharField(max_length=12, choices=AssetStatus.choices, default=AssetStatus.DRAFT)
    audience = models.CharField(
        max_length=8,
        choices=Audience.choices,
        default=Audience.EXTERNAL,
        help_text="Internal material never reaches a buyer: no share link, deal room or buyer page.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    review_by = models.DateField("review by", null=True, blank=True)
    current_version = models.OneToOneField(
        "AssetVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by assets.search.asset_search_refresh: every searchable word of the asset, its file's
    # text included, and on PostgreSQL the weighted vector built from it (GIN-indexed).
    search_document = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Kept by asset_search_refresh with the document: the ids of the asset's buyer roles, stages,
    # industries and products ("r3 s5 i2 p7"), so a search counts its facets from the rows it matched
    # instead of joining every match to four link tables again.
    facet_keys = models.TextField(blank=True, editable=False)
    # How many usage events name the asset ("Most used"), kept by the usage write path
    # (enablement.usage.services) and recounted by every analytics run, so search never counts them.
    use_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["title"]
        permissions = [
            ("view_unpublished_asset", "Can see assets that are not published"),
            ("view_analytics", "Can see usage and conversion analytics"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AssetKind.values), name="asset_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=AssetStatus.values), name="asset_status_valid"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="asset_audience_valid"),
            # A published asset always says when it was published.
            models.CheckConstraint(
                condition=~Q(status=AssetStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="asset_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["-use_count", "title"], name="asset_most_used"),
            # The API's cursor pages walk (title, id): every asset, or the published ones.
            models.Index(fields=["title", "id"], name="asset_api_order"),
            models.Index(fields=["status", "title", "id"], name="asset_status_api_order"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_content(self) -> bool:
        return bool(self.external_url) or self.current_version_id is not None

    @property
    def is_internal(self) -> bool:
        return self.audience == Audience.INTERNAL


def asset_upload_to(version: AssetVersion, filename: str) -> str:
    return f"assets/{version.asset.slug}/v{version.number}/{filename}"


class AssetVersion(models.Model):
    """One upload of an asset's file; every upload is kept, numbered from 1."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=asset_upload_to, max_length=300)
    note = models.CharField(max_length=300, blank=True, help_text="What changed in this version.")
    text = models.TextField(blank=True, editable=False, help_text="Text read from the file, for search.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "number"], name="assetversion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="assetversion_number_positive"),
            models.CheckConstraint(condition=~Q(file=""), name="assetversion_has_file"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} v{self.number}"


class SearchLog(models.Model):
    """One search in the portal: what was asked, with which filters, and how much was found."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    query = models.CharField(max_length=300, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    result_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["result_count", "created_at"])]

    def __str__(self) -> str:
        return f"“{self.query}” ({self.result_count})"


class ContentRequest(models.Model):
    """A rep asking marketing for material that does not exist yet; other reps vote for it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        DECLINED = "declined", "Declined"

    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    buyer_role = models.ForeignKey(
        BuyerRole, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stage = models.ForeignKey(FunnelStage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="content_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    voters = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class AssetFeedback(models.Model):
    """A rep's answer to "Was this useful?" about an asset (one per rep, the latest wins)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    useful = models.BooleanField()
    comment = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "asset feedback"
        constraints = [models.UniqueConstraint(fields=["asset", "user"], name="assetfeedback_one_per_user")]

    def __str__(self) -> str:
        return f"{self.asset}: {'useful' if self.useful else 'not useful'}"


class AssetDownload(models.Model):
    """A download of an asset's file from the portal."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="downloads")
    version = models.ForeignKey(AssetVersion, on_delete=models.SET_NULL, null=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.asset} by {self.user}"
