"""What a version looks like page by page: a PDF to read, its page count and a thumbnail of page 1."""

from __future__ import annotations

from pathlib import PurePath

from django.db import models
from django.db.models import Q

from assets.choices import RenditionStatus
from assets.models import AssetVersion


def rendition_upload_to(rendition: Rendition, filename: str) -> str:
    version = rendition.version
    return f"renditions/{version.asset.slug}/v{version.number}/{PurePath(filename).name}"


class Rendition(models.Model):
    """The viewable form of one version. A PDF upload is its own PDF (`pdf` stays empty); Office files
    are converted by LibreOffice, Markdown to sanitised HTML and a PDF; a failure keeps its reason and
    the pages show the file's text instead."""

    version = models.OneToOneField(AssetVersion, on_delete=models.CASCADE, related_name="rendition")
    status = models.CharField(max_length=10, choices=RenditionStatus.choices, default=RenditionStatus.QUEUED)
    error = models.CharField(max_length=500, blank=True)
    pdf = models.FileField(upload_to=rendition_upload_to, max_length=300, blank=True)
    html = models.TextField(blank=True, help_text="Sanitised HTML of a Markdown file.")
    thumbnail = models.FileField(upload_to=rendition_upload_to, max_length=300, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RenditionStatus.values), name="rendition_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_status_display()}"

    @property
    def is_ready(self) -> bool:
        return self.status == RenditionStatus.READY
