"""How the portal serves an asset's file: only an inline-safe list inline, everything else as an
attachment, always with a sandboxing CSP and nosniff, and a type that never comes from a guess."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from assets.models import AssetVersion
from tests.factories import AssetFactory, AssetVersionFactory

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain; charset=utf-8"
OCTET = "application/octet-stream"
SCRIPT = b"<script>fetch('/api/v1/deals/')</script>"

INLINE_SAFE = [
    ("deck.pdf", "application/pdf"),
    ("chart.png", "image/png"),
    ("photo.jpg", "image/jpeg"),
    ("photo.JPEG", "image/jpeg"),
    ("loop.gif", "image/gif"),
    ("shot.webp", "image/webp"),
    ("demo.mp4", "video/mp4"),
    ("demo.webm", "video/webm"),
    ("talk-track.txt", TEXT),
    ("battlecard.md", TEXT),
]
ATTACHMENT_ONLY = [
    ("brief.docx", DOCX),
    ("pitch.pptx", PPTX),
    ("model.xlsx", XLSX),
    ("prices.csv", "text/csv; charset=utf-8"),
    # Legacy uploads from before the allow-list, and names built to trick a guesser.
    ("page.html", OCTET),
    ("page.HTM", OCTET),
    ("logo.svg", OCTET),
    ("page.xhtml", OCTET),
    ("tool.js", OCTET),
    ("bundle.zip", OCTET),
    ("deck.pdf.html", OCTET),
    ("README", OCTET),
]


def planted(name: str, body: bytes = SCRIPT):
    asset = AssetFactory(external_url="")
    AssetVersionFactory(asset=asset, number=1, file=ContentFile(body, name=name), current=True)
    return asset


def assert_sandboxed(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert "allow-scripts" not in policy and "script-src" not in policy


@pytest.mark.parametrize(("name", "content_type"), INLINE_SAFE)
def test_an_inline_safe_file_is_shown_inline_with_its_listed_type_and_sandboxed(
    client, rep, name, content_type
):
    asset = planted(name)
    client.force_login(rep)
    response = client.get(reverse("asset-file", args=[asset.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline; ")
    assert_sandboxed(response)
    assert b"".join(response.streaming_content) == SCRIPT


@pytest.mark.parametrize(
    ("address", "name", "content_type"),
    [("asset-download", *case) for case in INLINE_SAFE + ATTACHMENT_ONLY]
    # The preview's address too: a file that is not inline-safe is never shown, wherever it is asked for.
    + [("asset-file", *case) for case in ATTACHMENT_ONLY],
)
def test_downloads_and_files_that_are_not_inline_safe_are_only_attachments(
    client, rep, address, name, content_type
):
    asset = planted(name)
    client.force_login(rep)
    response = client.get(reverse(address, args=[asset.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment; ")
    assert_sandboxed(response)


def test_an_odd_file_name_cannot_add_a_header_or_break_the_disposition(client, rep):
    asset = planted("deck.pdf")
    odd = default_storage.save(
        f'assets/{asset.slug}/v1/Q3 "deal"; filename=evil.html\r\nX-Injected: 1 Präsentation.pdf',
        ContentFile(b"%PDF-1.4"),
    )
    AssetVersion.objects.filter(asset=asset).update(file=odd)
    client.force_login(rep)
    response = client.get(reverse("asset-file", args=[asset.slug]))
    assert response.status_code == 200 and not response.has_header("X-Injected")
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.startswith("inline; filename*=utf-8''Q3%20%22deal%22%3B%20filename%3Devil.html")
    assert response["Content-Type"] == "application/pdf"


def test_a_file_missing_from_storage_is_a_404_not_a_500(client, rep):
    asset = planted("deck.pdf")
    default_storage.delete(asset.current_version.file.name)
    client.force_login(rep)
    assert client.get(reverse("asset-download", args=[asset.slug])).status_code == 404


@pytest.mark.parametrize(
    ("accel", "header", "expected"),
    [
        ("x-accel-redirect", "X-Accel-Redirect", "/protected-media/assets/{slug}/v1/Pr%C3%A4sentation.pdf"),
        ("x-sendfile", "X-Sendfile", "{root}/assets/{slug}/v1/Pr%C3%A4sentation.pdf"),
    ],
)
def test_with_file_serve_accel_the_web_server_sends_the_bytes_after_the_views_check(
    client, rep, settings, accel, header, expected
):
    settings.FILE_SERVE_ACCEL = accel
    asset = planted("Präsentation.pdf")
    client.force_login(rep)
    response = client.get(reverse("asset-file", args=[asset.slug]))
    assert response.status_code == 200 and response.content == b""
    assert response[header] == expected.format(slug=asset.slug, root=settings.MEDIA_ROOT)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''Pr%C3%A4sentation.pdf"
    assert_sandboxed(response)
    draft = planted("other.pdf")
    draft.status = "draft"
    draft.save()
    assert client.get(reverse("asset-file", args=[draft.slug])).status_code == 404
