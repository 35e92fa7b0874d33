"""Queueing renditions for the worker: a new version's, or the admin's *Render again*."""

from __future__ import annotations

from django.db.models import QuerySet

from assets.choices import RenditionStatus
from assets.models import AssetVersion
from assets.renditions.models import Rendition
from assets.renditions.services import rendition_kind
from assets.renditions.tasks import render_version
from config.outbox.services import enqueue


def rendition_queue(*, version: AssetVersion) -> Rendition:
    """Mark the version's rendition queued (or `none` for a format without one) and queue the task
    after the caller's transaction commits."""
    status = RenditionStatus.QUEUED if rendition_kind(version.file.name) else RenditionStatus.NONE
    rendition, _ = Rendition.objects.update_or_create(
        version=version, defaults={"status": status, "error": "", "started_at": None, "finished_at": None}
    )
    if status == RenditionStatus.QUEUED:
        enqueue(render_version, version.pk)
    return rendition


def renditions_queue(*, versions: QuerySet[AssetVersion]) -> int:
    """Queue every version given again (the admin's *Render again*); returns how many."""
    count = 0
    for version in versions.select_related("asset"):
        rendition_queue(version=version)
        count += 1
    return count
