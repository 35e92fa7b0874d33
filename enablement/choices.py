"""Constants of deals, usage and imports, in one place."""

from __future__ import annotations

from django.db import models


class DealSource(models.TextChoices):
    NATIVE = "native", "Native CSV"
    SALESFORCE = "salesforce", "Salesforce"
    HUBSPOT = "hubspot", "HubSpot"
    API = "api", "API"
    DEMO = "demo", "Demo data"


class UsageAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    DOWNLOADED = "downloaded", "Downloaded"
    SHARED = "shared", "Shared"
    PRESENTED = "presented", "Presented"
    EMAILED = "emailed", "Emailed"


class UsageStatus(models.TextChoices):
    """What became of a usage event sent to be recorded (API replies, import counts)."""

    CREATED = "created", "Created"
    DUPLICATE = "duplicate", "Duplicate"  # its event_id was already recorded with the same content
    REJECTED = "rejected", "Rejected"


class UsageSource(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    IMPORT = "import", "Import"
    SHARE_LINK = "share_link", "Share link"


class ImportFormat(models.TextChoices):
    NATIVE = "native", "Native CSV (zip of its files, or one of them)"
    SALESFORCE = "salesforce", "Salesforce Data Export (zip)"
    HUBSPOT = "hubspot", "HubSpot deals export (CSV)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Outcome(models.TextChoices):
    ADVANCED = "advanced", "Advanced"
    LOST = "lost", "Lost"
    OPEN = "open", "Open"


class Verdict(models.TextChoices):
    """Stored values are the report's (docs/analytics-method.md); labels say what was seen (an
    association), never a cause."""

    HELPS = "helps", "Higher conversion"
    HURTS = "hurts", "Lower conversion"
    NO_EVIDENCE = "no evidence", "No clear difference"
    TOO_LITTLE = "too little data", "Too little data"


class ExposureKind(models.TextChoices):
    """What counts as a deal having met an asset at a stage (docs/analytics-method.md, exposure kinds)."""

    USED = "used", "Used by reps"
    READ = "read", "Read by buyers"
