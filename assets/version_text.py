"""A version's text, read for search after an upload: the task (queued by assets.services) and its work."""

from __future__ import annotations

from celery import shared_task

from assets.extract import extract_text
from assets.models import Asset, AssetVersion
from assets.search import asset_search_refresh


def asset_version_text_extract(*, version_id: int) -> AssetVersion:
    """Read the version's file into text and, if it is the asset's current one, reindex the asset."""
    version = AssetVersion.objects.select_related("asset").get(pk=version_id)
    with version.file.open("rb") as stream:
        version.text = extract_text(stream, version.file.name)
    version.save(update_fields=["text"])
    asset = Asset.objects.select_related("current_version").get(pk=version.asset_id)
    if asset.current_version_id == version.pk:
        asset_search_refresh(asset)
    return version


# Named as when it lived in assets/tasks.py: the outbox and a worker's queue may hold it by that name.
@shared_task(name="assets.tasks.extract_version_text")
def extract_version_text(version_id: int) -> int:
    """Read the text of an uploaded file for search; returns how many characters were found."""
    return len(asset_version_text_extract(version_id=version_id).text)
