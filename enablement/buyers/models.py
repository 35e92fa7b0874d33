"""The ideal buyer profile both teams agree on, each deal's fit to it, its qualification ratings, and
the buying committee: which buyer roles are in the room on a deal, and the map from CRM role names."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from assets.models import BuyerRole, FunnelStage
from enablement.choices import DealSource


class ProfileStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"  # the current profile: one at a time
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"  # approved once, replaced by a later approval


class BuyerProfile(models.Model):
    """One version of the ideal buyer profile. Marketing proposes a version; an admin approves it,
    and the version approved before becomes `superseded`. Versions are never edited once decided."""

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=12, choices=ProfileStatus.choices, default=ProfileStatus.PROPOSED)
    summary = models.TextField(help_text="Who we sell to, in two or three sentences both teams can repeat.")
    industries = models.JSONField(default=list, blank=True, help_text="Target industries; empty: any.")
    size_bands = models.JSONField(
        default=list, blank=True, help_text='Employee bands such as "201-1000" or "5001+"; empty: any.'
    )
    regions = models.JSONField(default=list, blank=True, help_text="Target regions; empty: any.")
    fit_threshold = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="A deal scoring at least this (out of 10) is in profile.",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]
        permissions = [("approve_buyerprofile", "Can approve or reject a proposed buyer profile")]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="approved"), name="buyerprofile_one_approved"
            ),
            models.CheckConstraint(
                condition=Q(fit_threshold__gte=1, fit_threshold__lte=10), name="buyerprofile_threshold_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"Buyer profile v{self.version} ({self.get_status_display()})"


class ProfileRole(models.Model):
    """A buyer role the profile expects in the room by the time a deal is at `stage`."""

    profile = models.ForeignKey(BuyerProfile, on_delete=models.CASCADE, related_name="roles")
    stage = models.ForeignKey(FunnelStage, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(BuyerRole, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["stage__order", "role__name"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "stage", "role"], name="profilerole_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} by {self.stage}"


class RoleSource(models.TextChoices):
    NATIVE = "native", "Native CSV"
    SALESFORCE = "salesforce", "Salesforce"
    HUBSPOT = "hubspot", "HubSpot"
    PORTAL = "portal", "Portal"
    API = "api", "API"
    DEMO = "demo", "Demo data"


class DealRole(models.Model):
    """A buyer role present on a deal (the buying committee), with the contact where known.

    `external_id` is the source's id (Salesforce's OpportunityContactRole Id) or the natural key
    `role-slug|contact` for sources without one, so re-imports recognise what they sent."""

    deal = models.ForeignKey("enablement.Deal", on_delete=models.CASCADE, related_name="roles")
    role = models.ForeignKey(BuyerRole, on_delete=models.PROTECT, related_name="+")
    contact = models.CharField(max_length=255, blank=True)
    is_primary = models.BooleanField(default=False)
    source = models.CharField(max_length=12, choices=RoleSource.choices)
    external_id = models.CharField(max_length=255)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deal", "role__name", "contact"]
        verbose_name = "buying committee member"
        constraints = [
            models.UniqueConstraint(fields=["deal", "external_id"], name="dealrole_unique_external_id")
        ]
        indexes = [models.Index(fields=["role", "deal"])]

    def __str__(self) -> str:
        who = f" ({self.contact})" if self.contact else ""
        return f"{self.role}{who} on {self.deal}"


class RoleMap(models.Model):
    """Which buyer role a CRM's contact-role name means (like the stage map)."""

    source = models.CharField(max_length=12, choices=DealSource.choices)
    crm_role = models.CharField("CRM role", max_length=255)
    role = models.ForeignKey(BuyerRole, on_delete=models.CASCADE, related_name="crm_names")

    class Meta:
        ordering = ["source", "crm_role"]
        verbose_name = "role mapping"
        constraints = [models.UniqueConstraint(fields=["source", "crm_role"], name="rolemap_unique_name")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} “{self.crm_role}” → {self.role}"


RATING = {
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(0), MaxValueValidator(10)],
}
FOUR_AS = ("alignment", "appropriateness", "authority", "action")


class Qualification(models.Model):
    """The rep's ratings of a deal on the "4 As", 0–10 each, and/or the CRM's own score (0–10).
    Its score is the mean of the As rated, else the CRM's score."""

    deal = models.OneToOneField("enablement.Deal", on_delete=models.CASCADE, related_name="qualification")
    alignment = models.PositiveSmallIntegerField(help_text="Our offer fits their problem.", **RATING)
    appropriateness = models.PositiveSmallIntegerField(help_text="Right time, budget and size.", **RATING)
    authority = models.PositiveSmallIntegerField(help_text="We reach the people who decide.", **RATING)
    action = models.PositiveSmallIntegerField(help_text="They are acting on it now.", **RATING)
    crm_score = models.DecimalField(
        "CRM score",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{a}__lte": 10}) | Q(**{f"{a}__isnull": True}), name=f"qualification_{a}_0_10"
            )
            for a in FOUR_AS
        ] + [
            models.CheckConstraint(
                condition=Q(crm_score__gte=0, crm_score__lte=10) | Q(crm_score__isnull=True),
                name="qualification_crm_score_0_10",
            )
        ]

    def __str__(self) -> str:
        return f"Qualification of {self.deal}"

    @property
    def score(self) -> float | None:
        rated = [getattr(self, a) for a in FOUR_AS if getattr(self, a) is not None]
        if rated:
            return sum(rated) / len(rated)
        return float(self.crm_score) if self.crm_score is not None else None
