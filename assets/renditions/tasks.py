from __future__ import annotations

from celery import shared_task

from assets.models import AssetVersion
from assets.renditions import services


@shared_task
def render_version(version_id: int) -> str:
    """Make a version viewable page by page; returns the rendition's status. Safe to run twice."""
    try:
        return services.rendition_render(version_id=version_id).status
    except AssetVersion.DoesNotExist:  # deleted (with its asset) before the worker came to it
        return "gone"


@shared_task
def renditions_sweep() -> int:
    """Beat's minute check for renditions whose worker died mid-conversion."""
    return services.renditions_sweep()
