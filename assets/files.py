"""How stored files are accepted and served: the one place that decides, for every view.

An uploaded file is untrusted content. Served inline from the portal's origin, an HTML, SVG or
XHTML file would run its script with the reader's session (and read the API as them), so only an
explicit list of formats that browsers display without running anything of the file's own is ever
served inline: PDF, raster images, video and plain text. Everything else is an attachment. Either
way the type comes from this list (never guessed from the name), `nosniff` stops the browser from
guessing, and `Content-Security-Policy: sandbox` gives the response an opaque origin with scripts
off, should a browser render it after all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from assets.models import Asset

TEXT = "text/plain; charset=utf-8"

# extension -> (Content-Type, how a page previews it). Nothing outside this table is shown inline.
INLINE_SAFE: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "pdf"),
    ".png": ("image/png", "image"),
    ".jpg": ("image/jpeg", "image"),
    ".jpeg": ("image/jpeg", "image"),
    ".gif": ("image/gif", "image"),
    ".webp": ("image/webp", "image"),
    ".mp4": ("video/mp4", "video"),
    ".webm": ("video/webm", "video"),
    ".txt": (TEXT, "text"),
    ".md": (TEXT, "text"),  # Markdown is shown as the plain text it is, never rendered
}
# Formats accepted for upload that are only ever downloaded, with the type their application expects.
# Any other extension (legacy .html, .svg, .xhtml, unknown) is served as application/octet-stream.
ATTACHMENT_ONLY: dict[str, str] = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
ASSET_UPLOAD_EXTENSIONS = frozenset(INLINE_SAFE) | frozenset(ATTACHMENT_ONLY)
IMPORT_UPLOAD_EXTENSIONS = frozenset({".zip", ".csv"})
STAGE_MAP_UPLOAD_EXTENSIONS = frozenset({".csv"})

# On every file response, inline or not. `sandbox` without allow-scripts: no script runs and the
# document's origin is opaque, so it can neither read the portal's cookies nor call its API as the
# reader. Images and media may still load (an image or video opened on its own needs that); only the
# portal's own pages may frame the file (the previews).
FILE_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'self'"
)
OCTET_STREAM = "application/octet-stream"
_UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Delivery:
    """How one stored file goes to the browser."""

    content_type: str
    inline: bool
    preview: str  # "pdf", "image", "video", "text", or "" when the file is never shown inline


def suffix_of(name: str) -> str:
    return PurePath(name or "").suffix.lower()


def delivery_of(name: str) -> Delivery:
    """Decided by the stored name's last extension alone: `deck.pdf.html` is HTML, so an attachment."""
    suffix = suffix_of(name)
    if suffix in INLINE_SAFE:
        content_type, preview = INLINE_SAFE[suffix]
        return Delivery(content_type=content_type, inline=True, preview=preview)
    return Delivery(content_type=ATTACHMENT_ONLY.get(suffix, OCTET_STREAM), inline=False, preview="")


def is_inline_safe(name: str) -> bool:
    return delivery_of(name).inline


def download_name(name: str) -> str:
    # Control characters could never be a header; Django quotes or RFC 5987-encodes the rest.
    return _UNSAFE_NAME_CHARS.sub("", PurePath(name).name) or "file"


def stored_file_response(file: FieldFile, *, inline: bool) -> HttpResponse:
    """The file with its safe headers; `inline` is honoured only for an inline-safe format.

    With FILE_SERVE_ACCEL set, the web server sends the bytes (after this view's checks) from an
    internal location; see docs/operations.md, "Files", for the nginx and Apache settings.
    """
    if not file.name or not file.storage.exists(file.name):
        raise Http404("This file is missing from storage.")
    delivery = delivery_of(file.name)
    as_attachment = not (inline and delivery.inline)
    filename = download_name(file.name)
    accel = settings.FILE_SERVE_ACCEL
    if accel == "x-accel-redirect":
        response = HttpResponse(content_type=delivery.content_type)
        response["X-Accel-Redirect"] = settings.FILE_SERVE_ACCEL_PREFIX + quote(file.name)
    elif accel == "x-sendfile":
        response = HttpResponse(content_type=delivery.content_type)
        response["X-Sendfile"] = quote(file.path)  # mod_xsendfile unescapes (XSendFileUnescape)
    else:
        response = FileResponse(file.open("rb"), content_type=delivery.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    return response


def asset_file_response(asset: Asset, *, inline: bool) -> HttpResponse:
    """The asset's current file (or a redirect to its external URL when it has no file)."""
    if not asset.current_version_id:
        if asset.external_url:
            return HttpResponseRedirect(asset.external_url)
        raise Http404("This asset has no file.")
    return stored_file_response(asset.current_version.file, inline=inline)


def upload_check(file: File, *, allowed: frozenset[str]) -> None:
    """Refuse an upload whose extension is not in `allowed` or which is over UPLOAD_MAX_MB.

    Called before anything is written, by the service that stores the file and by admin forms (so
    the person uploading sees the reason on the field).
    """
    name = PurePath(file.name or "").name
    suffix = suffix_of(name)
    if suffix not in allowed:
        kinds = ", ".join(sorted(allowed))
        found = f"a {suffix} file" if suffix else "a file without an extension"
        raise ValidationError(
            f"“{name}” is {found}, which is not accepted here. Upload one of: {kinds}.",
            code="file_type",
        )
    limit_mb = settings.UPLOAD_MAX_MB
    if file.size is not None and file.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            f"“{name}” is {file.size / (1024 * 1024):.1f} MB; files are limited to {limit_mb} MB.",
            code="file_size",
        )
