"""An asset's page previews only inline-safe files (a PDF in the page viewer); anything else shows its
text or a note."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.factories import AssetFactory, AssetVersionFactory

pytestmark = pytest.mark.django_db


def page_of(client, rep, name: str, text: str = "") -> str:
    asset = AssetFactory(external_url="", slug="globex")
    version = AssetVersionFactory(
        asset=asset, file=ContentFile(b"<script>x()</script>", name=name), current=True
    )
    version.text = text
    version.save(update_fields=["text"])
    client.force_login(rep)
    response = client.get(reverse("asset-detail", args=[asset.slug]))
    assert response.status_code == 200
    for landmark in ("Download", "Log use in a deal", "Share with buyer"):
        assert landmark in response.text
    return response.text


@pytest.mark.parametrize(
    ("name", "element"),
    [
        ("deck.pdf", '(the arrow keys turn them)" data-src="/assets/globex/pages/"'),
        ("chart.png", '<img src="/assets/globex/file/"'),
        ("demo.webm", '<video controls src="/assets/globex/file/"'),
        ("notes.txt", '<iframe src="/assets/globex/file/" title="Preview of Asset number'),
    ],
)
def test_an_inline_safe_file_is_previewed_from_the_file_address(client, rep, name, element):
    assert element in page_of(client, rep, name)


@pytest.mark.parametrize("name", ["roi.html", "logo.svg", "page.xhtml", "brief.docx"])
def test_any_other_file_shows_its_extracted_text_and_is_never_framed(client, rep, name):
    page = page_of(client, rep, name, text="Payback in nine months")
    assert "Payback in nine months" in page and "here is its text" in page
    assert "/assets/globex/file/" not in page


def test_a_file_with_no_preview_and_no_text_says_to_download_it(client, rep):
    page = page_of(client, rep, "logo.svg")
    assert "This file type is not shown in the browser: use Download to open it." in page
    assert "/assets/globex/file/" not in page
