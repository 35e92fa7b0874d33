"""Constants of the catalogue, in one place."""

from __future__ import annotations

from django.db import models


class StageOutcome(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class AssetKind(models.TextChoices):
    CASE_STUDY = "case_study", "Case study"
    BATTLECARD = "battlecard", "Battlecard"
    DECK = "deck", "Deck"
    ONE_PAGER = "one_pager", "One-pager"
    WHITEPAPER = "whitepaper", "Whitepaper"
    ROI_CALCULATOR = "roi_calculator", "ROI calculator"
    VIDEO = "video", "Video"
    EMAIL_TEMPLATE = "email_template", "Email template"
    DEMO_SCRIPT = "demo_script", "Demo script"
    FAQ = "faq", "FAQ"


class AssetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Audience(models.TextChoices):
    """Who may see an asset: an internal one never reaches a buyer (no share link, room or buyer page)."""

    INTERNAL = "internal", "Internal only"
    EXTERNAL = "external", "Can be shared with buyers"


# Competitive material is written for reps, not buyers: these kinds start internal.
INTERNAL_BY_DEFAULT = frozenset({AssetKind.BATTLECARD})


class RenditionStatus(models.TextChoices):
    """Where a version's viewable pages stand. `none`: a format with no rendition (text, video)."""

    NONE = "none", "No rendition"
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Role(models.TextChoices):
    """The three groups people belong to; see assets.roles for what each may do."""

    REPS = "Reps"
    MARKETING = "Marketing"
    ADMINS = "Admins"
