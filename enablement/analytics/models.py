"""Tables the analytics engine fills; pages and the API read only these.

A run is computed completely, then made current in one transaction; older runs are removed then.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from assets.models import Asset, FunnelStage
from enablement.choices import ExposureKind, Outcome, Verdict


class Team(models.Model):
    """A sales team, for filtering the funnel by owner team."""

    name = models.CharField(max_length=80, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AnalyticsRun(models.Model):
    """One computation of the analytics, as of `computed_at`; a refresh brings it up to date in place.

    `watermark`: every history row, usage event and deal edit recorded before it is in the run (a
    refresh reads only what was recorded from then on). `steps`: each step's name, seconds and rows,
    so a slow step shows in the admin. `availability`: each asset's first recorded use.
    """

    computed_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    complete = models.BooleanField(default=False)
    seconds = models.FloatField(null=True, blank=True)
    deals = models.PositiveIntegerField(default=0)
    usage_events = models.PositiveIntegerField(default=0)
    funnel = models.JSONField(
        default=list, blank=True, help_text="the open and closed stages (id, order, outcome) the run used"
    )
    usage_recent = models.PositiveIntegerField(
        default=0, help_text="of those, recorded since the watermark (a refresh counts on from here)"
    )
    mode = models.CharField(max_length=8, default="full", help_text="full, or refresh after new rows")
    watermark = models.DateTimeField(null=True, blank=True)
    steps = models.JSONField(default=list, blank=True)
    availability = models.JSONField(default=dict, blank=True)
    available = models.JSONField(
        default=dict, blank=True, help_text="when each asset became available, as the figures took it"
    )

    class Meta:
        ordering = ["-computed_at"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"analytics of {self.computed_at:%Y-%m-%d %H:%M}"


# The working tables are written in bulk by the engine and deleted by it with their run: no
# constraint trigger per row and no index beyond the ones its queries use (each costs every insert).
WORKING = {"on_delete": models.DO_NOTHING, "db_constraint": False, "db_index": False, "related_name": "+"}


class StageEntry(models.Model):
    """A deal's first entry into an open stage and what came of it (docs/analytics-method.md)."""

    run = models.ForeignKey(AnalyticsRun, **WORKING)
    deal = models.ForeignKey("enablement.Deal", **WORKING)
    stage = models.ForeignKey(FunnelStage, **WORKING)
    owner_id = models.IntegerField(null=True)
    entered_at = models.DateTimeField()
    quarter = models.IntegerField(default=0, help_text="year × 4 + quarter − 1 of entered_at (UTC)")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    resolved_at = models.DateTimeField(null=True)
    days = models.FloatField(null=True)
    industry = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    won = models.BooleanField(default=False)

    class Meta:
        # The working tables hold one run's rows (a full run empties them first), so the run is no
        # part of their indexes: smaller, and built faster after a full run fills the tables.
        indexes = [models.Index(fields=["deal"]), models.Index(fields=["stage", "entered_at"])]

    def __str__(self) -> str:
        return f"deal {self.deal_id} at stage {self.stage_id}: {self.outcome}"


class ExposureRow(models.Model):
    """One (entry, asset) of an exposure kind: `in_window` when the exposure came before the landmark,
    else only later in the stay. Once per (entry, asset) (entries are numbered across runs): the key
    is also the index the refresh reads exposures by entry with."""

    pk = models.CompositePrimaryKey("entry", "asset")
    run = models.ForeignKey(AnalyticsRun, **WORKING)
    asset = models.ForeignKey(Asset, **WORKING)
    entry = models.ForeignKey(StageEntry, **WORKING)
    in_window = models.BooleanField(default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"asset {self.asset_id} in entry {self.entry_id}"


class Exposure(ExposureRow):
    """An asset used during a stage entry at risk at the landmark: `in_window` if used before the
    landmark (entered ≤ occurred < entered + landmark: exposure), else only later in the stay. A full
    run on PostgreSQL writes the table whole (enablement.analytics.cohort.exposures_table_made)."""


class ReadExposure(ExposureRow):
    """An asset the buyer read in a deal room of the deal during a stage entry at risk at the
    landmark, for at least ANALYTICS_READ_SECONDS over the visits that started in the stay:
    `in_window` if that much was read in visits that started before the landmark (exposure), else
    only over the whole stay. The `read` kind's counterpart of Exposure, figured by the same method."""


class FigureState(models.Model):
    """What a refresh needs to bring one pair's figures up to date by difference, without reading the
    working tables again: for `asset_id` 0, the stage's cohort at risk (counts per stratum, the
    advanced entries' days in order, its first entry); else the asset's exposed counts per stratum
    and the days of the exposed entries that advanced. Written by full runs (all deals only)."""

    run = models.ForeignKey(AnalyticsRun, **WORKING)
    stage = models.ForeignKey(FunnelStage, **WORKING)
    asset_id = models.IntegerField(default=0)
    exposure = models.CharField(max_length=4, choices=ExposureKind.choices, default=ExposureKind.USED)
    state = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "stage", "asset_id", "exposure"], name="figure_state_once_per_pair_and_kind"
            )
        ]

    def __str__(self) -> str:
        return f"state of asset {self.asset_id} at stage {self.stage_id}"


class StageMetric(models.Model):
    run = models.ForeignKey(AnalyticsRun, on_delete=models.CASCADE, related_name="stage_metrics")
    stage = models.ForeignKey(FunnelStage, on_delete=models.CASCADE, related_name="+")
    entered = models.PositiveIntegerField()
    advanced = models.PositiveIntegerField()
    lost = models.PositiveIntegerField()
    open = models.PositiveIntegerField()
    conversion_rate = models.FloatField(null=True)
    median_days = models.FloatField(null=True)
    p75_days = models.FloatField(null=True)
    landmark_days = models.PositiveIntegerField(null=True)
    resolution_p25 = models.FloatField(null=True, help_text="25th percentile of days to resolution")
    # The funnel page's breakdowns over all the run's entries, so it never goes over them per request
    # (docs/analytics-pages.md): {"2025-03": [entered, advanced, lost]} by month of entering the
    # stage, {"8100": [entered, advanced, lost, median days]} by quarter (year × 4 + quarter − 1);
    # None in rows of runs made before they were stored, which the page computes as it used to.
    by_month = models.JSONField(null=True, default=None)
    by_quarter = models.JSONField(null=True, default=None)

    class Meta:
        ordering = ["stage__order"]

    def __str__(self) -> str:
        return f"{self.stage}: {self.entered} entered"


class AssetLastUse(models.Model):
    """An asset's latest usage event among those the run counted; *Retire or refresh* adds the events
    recorded since the run's watermark, so it never groups the whole usage table
    (docs/analytics-pages.md)."""

    run = models.ForeignKey(AnalyticsRun, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    last_used = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "asset"], name="assetlastuse_unique_run_asset")]

    def __str__(self) -> str:
        return f"{self.asset_id} last used {self.last_used:%Y-%m-%d %H:%M}"


class Segment(models.TextChoices):
    """Which deals a row of figures is over: all of them, or those in / out of the approved ideal
    buyer profile (computed only while a profile is approved)."""

    ALL = "", "All deals"
    IN_PROFILE = "in", "In profile"
    OUT_OF_PROFILE = "out", "Out of profile"


class AllDealsManager(models.Manager):
    """The default: the figures over every deal. `AssetStageMetric.segments` reaches the others."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(segment=Segment.ALL)


class AssetStageMetric(models.Model):
    """One asset at one stage: exposed against unexposed deals, and what can honestly be said."""

    run = models.ForeignKey(AnalyticsRun, on_delete=models.CASCADE, related_name="asset_metrics")
    segment = models.CharField(max_length=3, choices=Segment.choices, default=Segment.ALL, blank=True)
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(FunnelStage, on_delete=models.CASCADE, related_name="+")
    exposure = models.CharField(
        max_length=4,
        choices=ExposureKind.choices,
        default=ExposureKind.USED,
        help_text="used by reps, or read by buyers in a deal room: each its own row, the same method",
    )
    exposed_deals = models.PositiveIntegerField()
    exposed_advanced = models.PositiveIntegerField()
    exposed_lost = models.PositiveIntegerField()
    exposed_open = models.PositiveIntegerField()
    exposed_rate = models.FloatField(null=True)
    exposed_median_days = models.FloatField(null=True)
    unexposed_deals = models.PositiveIntegerField()
    unexposed_advanced = models.PositiveIntegerField()
    unexposed_lost = models.PositiveIntegerField()
    unexposed_open = models.PositiveIntegerField()
    unexposed_rate = models.FloatField(null=True)
    unexposed_median_days = models.FloatField(null=True)
    lift = models.FloatField(null=True)
    lift_low = models.FloatField(null=True)
    lift_high = models.FloatField(null=True)
    adjusted_lift = models.FloatField(null=True)
    adjusted_low = models.FloatField(null=True)
    adjusted_high = models.FloatField(null=True)
    adjusted_fcr_low = models.FloatField(
        null=True, help_text="the interval shown beside the verdict, adjusted for the rows tested"
    )
    adjusted_fcr_high = models.FloatField(null=True)
    comparisons = models.PositiveIntegerField(default=0, help_text="rows with enough data tested with it")
    later_deals = models.PositiveIntegerField(
        default=0, help_text="at-risk deals that used it only after the landmark"
    )
    p_value = models.FloatField(null=True)
    q_value = models.FloatField(null=True)
    significant = models.BooleanField(default=False)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    influenced_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    won_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    segments = models.Manager()
    objects = AllDealsManager()

    class Meta:
        ordering = ["stage__order", "asset__title"]
        default_manager_name = "objects"
        base_manager_name = "segments"
        indexes = [models.Index(fields=["run", "segment", "stage"])]

    def __str__(self) -> str:
        return f"{self.asset} at {self.stage}: {self.verdict}"
