"""Deals from the CRM: accounts, deals, their stage history, and the map from CRM stage names."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assets.models import FunnelStage
from enablement.choices import DealSource


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
    # The fit to the approved ideal buyer profile (enablement.buyers.fit), kept current by its services.
    fit_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    in_profile = models.BooleanField(null=True, blank=True, editable=False)
    fit_reasons = models.JSONField(null=True, blank=True, editable=False)  # None: not scored
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="deal_unique_source_id"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True), name="deal_amount_positive"
            ),
        ]
        # updated_at: the analytics refresh finds deals edited since its last run. The API's cursor
        # pages walk (created_at desc, id), every deal's or a rep's (config/api/pagination.py).
        indexes = [
            models.Index(fields=["owner", "closed_at"]),
            models.Index(fields=["updated_at"]),
            models.Index(fields=["-created_at", "id"], name="deal_api_order"),
            models.Index(fields=["owner", "-created_at", "id"], name="deal_owner_api_order"),
        ]
        # Reps see their own deals; this permission (Marketing, Admins) shows every deal.
        permissions = [("view_all_deals", "Can see every deal, not only their own")]

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
        # (deal, entered_at, id): a deal's history in order, as the API's cursor pages and the stage at a
        # moment (latest first) read it. recorded_at: the analytics refresh reads only rows recorded
        # since its last run.
        indexes = [
            models.Index(fields=["deal", "entered_at", "id"], name="stagechange_deal_order"),
            models.Index(fields=["recorded_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.deal} → {self.stage} at {self.entered_at:%Y-%m-%d %H:%M}"


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
