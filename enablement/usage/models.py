"""A rep using an asset in a deal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from assets.models import Asset, AssetVersion, FunnelStage
from enablement.choices import UsageAction, UsageSource
from enablement.deals.models import Deal


class UsageEvent(models.Model):
    """A rep using an asset in a deal. `stage` is the deal's stage at that moment, from its history."""

    event_id = models.CharField(max_length=100, unique=True)
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="usage_events")
    asset_version = models.ForeignKey(
        AssetVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # No index of its own: (deal, occurred_at) below answers every lookup by deal, and with both the
    # planner took the narrower one and read a deal's every use where a stay's range would do.
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="usage_events", db_index=False)
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


class AssetStageUses(models.Model):
    """How many usage events of an asset were at a stage (their stored `stage`): the suggestions' peer
    use, read per (asset, stage) instead of counting the events on every page. Kept by the usage write
    path and recounted with the assets' use counts (enablement.usage.counts)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(FunnelStage, on_delete=models.CASCADE, related_name="+")
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["asset", "stage"], name="asset_stage_uses_one")]

    def __str__(self) -> str:
        return f"{self.asset} at {self.stage}: {self.uses}"
