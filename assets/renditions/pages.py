"""From a PDF: its page count and a thumbnail of page 1 (pypdfium2, which ships PDFium in its wheel);
from an image: a thumbnail of it. Thumbnails are WebP, about THUMB_WIDTH pixels wide."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from assets.renditions.failures import RenditionFailed

THUMB_WIDTH = 400
THUMB_MAX_HEIGHT = 560
# PDFium is not thread-safe: a threaded worker pool (or the test server's threads) take turns.
_pdfium = threading.Lock()


@dataclass(frozen=True)
class PageFacts:
    page_count: int
    thumbnail: bytes  # WebP


def _webp(image) -> bytes:
    image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=80, method=2)  # method 4 took three times as long
    return buffer.getvalue()


def pdf_facts(path: Path) -> PageFacts:
    """Page count and page-1 thumbnail; refuses an unreadable or password-protected PDF and one over
    RENDITION_MAX_PAGES pages (it would not be read page by page anyway)."""
    import pypdfium2 as pdfium

    with _pdfium:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise RenditionFailed(
                    "The PDF is password-protected, so its pages cannot be shown."
                ) from None
            raise RenditionFailed("The PDF cannot be read (it may be damaged).") from None
        try:
            count = len(document)
            limit = settings.RENDITION_MAX_PAGES
            if count == 0:
                raise RenditionFailed("The PDF has no pages.")
            if count > limit:
                raise RenditionFailed(
                    f"The document has {count:,} pages; pages are shown for up to {limit:,} "
                    "(RENDITION_MAX_PAGES)."
                )
            page = document[0]
            width, height = page.get_size()
            if width <= 0 or height <= 0:
                raise RenditionFailed("The PDF's first page has no size.")
            scale = min(THUMB_WIDTH / width, THUMB_MAX_HEIGHT / height)
            try:
                image = page.render(scale=scale).to_pil()
            except pdfium.PdfiumError:
                raise RenditionFailed("The PDF's first page cannot be drawn (it may be damaged).") from None
            return PageFacts(page_count=count, thumbnail=_webp(image))
        finally:
            document.close()


def image_facts(path: Path) -> PageFacts:
    """A thumbnail of an uploaded image (one page). Pillow's decompression-bomb guard refuses images
    so large that decoding them would exhaust the worker's memory."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.thumbnail((THUMB_WIDTH, THUMB_MAX_HEIGHT))
            return PageFacts(page_count=1, thumbnail=_webp(image))
    except Image.DecompressionBombError:
        raise RenditionFailed("The image is too large to make a preview of.") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise RenditionFailed("The image cannot be read (it may be damaged).") from None
