"""Template tags for renditions: thumbnails in lists, a Markdown file's HTML, the fallback's note."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from assets.choices import RenditionStatus
from assets.models import Asset
from assets.renditions.selectors import current_rendition, markdown_of, rendition_status_of, thumbnail_of

register = template.Library()


@register.simple_tag
def thumbnail(asset: Asset, room=None, size: str = "") -> SafeString:
    """The asset's page-1 picture (alt "Preview of <title>"), or a plain tile with its kind. `room`
    serves it through the deal room's checked view, for the buyer."""
    css = f"thumb {size}".strip()
    if thumbnail_of(asset) is None:
        return format_html(
            '<span class="{} thumb-empty" aria-hidden="true">{}</span>', css, asset.get_kind_display()
        )
    if room is not None:
        url = reverse("room-thumbnail", args=[room.token, asset.pk])
    else:
        url = reverse("asset-thumbnail", args=[asset.slug])
    return format_html(
        '<img class="{}" src="{}?v={}" alt="Preview of {}" loading="lazy">',
        css,
        url,
        asset.current_version_id,
        asset.title,
    )


@register.simple_tag
def asset_html(asset: Asset) -> SafeString:
    # Sanitised by nh3 when it was made (assets.renditions.markdown): only document tags are left.
    return mark_safe(markdown_of(asset))


@register.simple_tag
def rendition_note(asset: Asset, buyer: bool = False) -> str:
    """One line above a file shown as its text: why it is not shown page by page (for a buyer,
    without the server's reason)."""
    rendition = current_rendition(asset)
    status = rendition.status if rendition is not None else RenditionStatus.NONE
    if status == RenditionStatus.FAILED:
        if buyer:
            return "Shown as text: this document cannot be shown page by page."
        return f"Shown as text: no page view could be made of this file. {rendition.error}"
    if status in (RenditionStatus.QUEUED, RenditionStatus.RENDERING):
        return "Shown as text while its pages are being prepared; reload in a moment."
    if buyer:
        return ""
    return "This file type is not shown in the browser; here is its text. Use Download to open the file."


@register.simple_tag
def rendition_state(asset: Asset) -> dict:
    """The studio's processing state: label, status, reason, and whether the page should poll it."""
    status, error = rendition_status_of(asset)
    rendition = current_rendition(asset)
    labels = {
        RenditionStatus.NONE: "—" if not asset.current_version_id else "Shown as it is",
        RenditionStatus.QUEUED: "Queued",
        RenditionStatus.RENDERING: "Rendering…",
        RenditionStatus.FAILED: f"Failed: {error}",
        RenditionStatus.READY: f"Ready, {rendition.page_count or 1} page(s)" if rendition else "Ready",
    }
    polling = status in (RenditionStatus.QUEUED, RenditionStatus.RENDERING)
    return {"status": status, "label": labels[status], "error": error, "polling": polling}
