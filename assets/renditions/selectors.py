"""Reads of renditions: what a page shows of an asset's current version."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile

from assets.choices import RenditionStatus
from assets.files import suffix_of
from assets.models import Asset, AssetVersion
from assets.renditions.markdown import markdown_html
from assets.renditions.models import Rendition


def rendition_of(version: AssetVersion | None) -> Rendition | None:
    if version is None:
        return None
    try:
        return version.rendition
    except Rendition.DoesNotExist:
        return None


def current_rendition(asset: Asset) -> Rendition | None:
    return rendition_of(asset.current_version if asset.current_version_id else None)


def viewable_pdf(asset: Asset) -> FieldFile | None:
    """The PDF the page viewer shows: the rendition's, or the upload itself when it is a PDF whose
    rendition did not fail (a password-protected or damaged PDF would not open in the viewer)."""
    version = asset.current_version if asset.current_version_id else None
    if version is None:
        return None
    rendition = rendition_of(version)
    if rendition is not None and rendition.status == RenditionStatus.READY and rendition.pdf:
        return rendition.pdf
    failed = rendition is not None and rendition.status == RenditionStatus.FAILED
    if suffix_of(version.file.name) == ".pdf" and not failed:
        return version.file
    return None


def thumbnail_of(asset: Asset) -> FieldFile | None:
    rendition = current_rendition(asset)
    if rendition is not None and rendition.status == RenditionStatus.READY and rendition.thumbnail:
        return rendition.thumbnail
    return None


def page_count_of(asset: Asset) -> int | None:
    """The pages of the asset's viewable form, where they are known."""
    rendition = current_rendition(asset)
    if rendition is not None and rendition.status == RenditionStatus.READY:
        return rendition.page_count
    return None


def rendition_status_of(asset: Asset) -> tuple[str, str]:
    """(status, error) of the current version's rendition; `none` without a version or a rendition."""
    rendition = current_rendition(asset)
    if rendition is None:
        return RenditionStatus.NONE, ""
    return rendition.status, rendition.error


MARKDOWN_MAX_BYTES = 1024 * 1024


def markdown_of(asset: Asset) -> str:
    """A Markdown version's sanitised HTML: the rendition's, or made now for a version whose
    rendition is not there yet (stored before renditions, or still queued)."""
    rendition = current_rendition(asset)
    if rendition is not None and rendition.is_ready and rendition.html:
        return rendition.html
    version = asset.current_version if asset.current_version_id else None
    if version is None:
        return ""
    try:
        with version.file.open("rb") as stream:
            raw = stream.read(MARKDOWN_MAX_BYTES)
    except OSError:
        return ""
    return markdown_html(raw.decode("utf-8", errors="replace"))
