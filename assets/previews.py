"""What an asset's page shows of it. Above assets.files (whose table of formats the renditions read at
import time) and assets.renditions, which it asks whether a viewable PDF is there."""

from __future__ import annotations

from assets.choices import AssetKind, RenditionStatus
from assets.files import delivery_of, suffix_of
from assets.models import Asset
from assets.renditions.selectors import current_rendition, viewable_pdf


def asset_preview(asset: Asset) -> str:
    """What an asset's page shows of it: its pages where it has a viewable PDF, else the file itself
    only when it is inline-safe.

    "pages": the page viewer over the PDF (the upload or its rendition); "html": a Markdown file's
    sanitised HTML; "image" / "video" / "text": the file, embedded; "processing": a rendition on its
    way; "extract": the text read from a file that cannot be shown (a failed rendition, a legacy HTML
    file); "file": a file with nothing to show; "video-link" / "link": hosted elsewhere; "": nothing.
    """
    version = asset.current_version if asset.current_version_id else None
    if version is not None:
        if viewable_pdf(asset) is not None:
            return "pages"
        if suffix_of(version.file.name) == ".md":  # never shown as raw Markdown
            return "html"
        preview = delivery_of(version.file.name).preview
        if preview in ("image", "video", "text"):
            return preview
        rendition = current_rendition(asset)
        on_its_way = rendition is not None and rendition.status in (
            RenditionStatus.QUEUED,
            RenditionStatus.RENDERING,
        )
        if on_its_way and not version.text.strip():
            return "processing"
        return "extract" if version.text.strip() else "file"
    if asset.external_url:
        return "video-link" if asset.kind == AssetKind.VIDEO else "link"
    return ""
