"""Deals from the CRM, their stage history, the assets reps used in them, and share links."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assets.choices import AssetStatus
from assets.models import Asset, AssetVersion, FunnelStage
from enablement.choices import DealSource, ImportFormat, ImportStatus, UsageAction, UsageSource


class Account(models.Model):
    """The buying company."""

    source = models.CharField(max_length=12, choices=DealSource.choices)
    external_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    industry = models.CharField(max_length=120, blank=True)
    size = models.CharField(max_length=60, blank=True, help_text="Employees, or a size band.")
    region = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="account_unique_source_id")
        ]

    def __str__(self) -> str:
        return self.name


class Deal(models.Model):
    """An opportunity from the CRM. Its current stage is the stage of its latest history row."""

    source = models.CharField(max_length=12, choices=DealSource.choices)
    external_id = models.CharField("deal id", max_length=100)
    name = models.CharField(max_length=255)
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="deals"
    )
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    created_at = models.DateTimeField(default=timezone.now)
    current_stage = models.ForeignKey(
        FunnelStage, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="deal_unique_source_id"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True), name="deal_amount_positive"
            ),
        ]
        # updated_at: the analytics refresh finds deals edited since its last run.
        indexes = [models.Index(fields=["owner", "closed_at"]), models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class StageChange(models.Model):
    """A deal entering a stage. The full history is kept and never rewritten.

    `external_id` is the source's id of the history row (Salesforce's OpportunityHistory Id), or a
    natural key `stage@time` for sources that have none, so re-imports recognise what they sent.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.ForeignKey(FunnelStage, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    external_id = models.CharField(max_length=255)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deal", "entered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "external_id"], name="stagechange_unique_external_id")
        ]
        # recorded_at: the analytics refresh reads only rows recorded since its last run.
        indexes = [models.Index(fields=["deal", "entered_at"]), models.Index(fields=["recorded_at"])]

    def __str__(self) -> str:
        return f"{self.deal} → {self.stage} at {self.entered_at:%Y-%m-%d %H:%M}"


class UsageEvent(models.Model):
    """A rep using an asset in a deal. `stage` is the deal's stage at that moment, from its history."""

    event_id = models.CharField(max_length=100, unique=True)
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="usage_events")
    asset_version = models.ForeignKey(
        AssetVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="usage_events")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_events",
    )
    action = models.CharField(max_length=12, choices=UsageAction.choices)
    occurred_at = models.DateTimeField()
    stage = models.ForeignKey(FunnelStage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=12, choices=UsageSource.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=UsageAction.values), name="usage_action_valid"),
        ]
        indexes = [
            models.Index(fields=["deal", "occurred_at"]),
            models.Index(fields=["asset", "stage"]),
            models.Index(fields=["recorded_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.asset} in {self.deal}"


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


class ShareLink(models.Model):
    """An unguessable link a rep sends a buyer: one asset, one deal, with an expiry."""

    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="share_links")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="share_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    allow_download = models.BooleanField(default=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.asset} for {self.deal}"

    def unavailable_reason(self, at=None) -> str:
        """Why the buyer can no longer open the link: "withdrawn", "expired", "unpublished", or ""
        while it is live. The one rule for the buyer's page, its file and the views recorded."""
        at = at or timezone.now()
        if self.revoked_at is not None:
            return "withdrawn"
        if self.expires_at <= at:
            return "expired"
        # Archiving an asset (or taking it back to draft) withdraws it from buyers as from reps.
        if self.asset.status != AssetStatus.PUBLISHED:
            return "unpublished"
        return ""

    def is_active(self, at=None) -> bool:
        return not self.unavailable_reason(at)


class ShareView(models.Model):
    """A buyer opening a share link. The viewer's address is kept only as a keyed hash."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField(default=timezone.now)
    viewer_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"view of {self.link} at {self.viewed_at:%Y-%m-%d %H:%M}"


class StageMap(models.Model):
    """Which funnel stage a CRM's stage name (or internal id) means."""

    source = models.CharField(max_length=12, choices=DealSource.choices)
    crm_stage = models.CharField("CRM stage", max_length=255)
    stage = models.ForeignKey(FunnelStage, on_delete=models.CASCADE, related_name="crm_names")

    class Meta:
        ordering = ["source", "crm_stage"]
        verbose_name = "stage mapping"
        constraints = [models.UniqueConstraint(fields=["source", "crm_stage"], name="stagemap_unique_name")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} “{self.crm_stage}” → {self.stage}"


def import_upload_to(run: ImportRun, filename: str) -> str:
    # A folder per upload keeps the file's own name, which is how importers recognise files.
    return f"imports/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/{filename}"


class ImportRun(models.Model):
    """An upload of CRM files through the admin, imported by a Celery task."""

    format = models.CharField(max_length=12, choices=ImportFormat.choices)
    file = models.FileField(upload_to=import_upload_to, max_length=300)
    stage_map_file = models.FileField(
        upload_to=import_upload_to,
        max_length=300,
        blank=True,
        help_text="Optional CSV with columns crm_stage,stage_slug.",
    )
    dry_run = models.BooleanField(default=False, help_text="Check everything, write nothing.")
    skip_invalid = models.BooleanField(default=False, help_text="Write the good rows, report the bad ones.")
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} import #{self.pk}"


# The analytics tables live in their own module; importing them here registers them with the app.
from enablement.analytics.models import (  # noqa: E402
    AnalyticsRun,
    AssetStageMetric,
    Exposure,
    StageEntry,
    StageMetric,
    Team,
)
from enablement.api.tokens import ApiToken  # noqa: E402

__all__ = [
    "Account",
    "AnalyticsRun",
    "ApiToken",
    "AssetStageMetric",
    "Deal",
    "Exposure",
    "ImportRun",
    "ShareLink",
    "ShareView",
    "StageChange",
    "StageEntry",
    "StageMap",
    "StageMetric",
    "Team",
    "UsageEvent",
]
