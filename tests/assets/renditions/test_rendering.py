"""Each uploaded version becomes readable page by page: decks and documents through LibreOffice,
PDFs as they are, Markdown as sanitised HTML and a PDF, images as themselves; each with a thumbnail."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assets.renditions.models import Rendition
from tests.assets.renditions.conftest import needs_libreoffice
from tests.files import docx_with_text, pdf_with_pages, png_square, pptx_with_slides

pytestmark = pytest.mark.django_db


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


@needs_libreoffice
def test_a_pptx_becomes_a_pdf_of_its_slides_with_a_thumbnail_of_the_first(uploaded, client, marketer):
    asset = uploaded("globex.pptx", pptx_with_slides([f"Slide {n}" for n in range(1, 6)]))
    rendition = asset.current_version.rendition
    assert (rendition.status, rendition.error, rendition.page_count) == ("ready", "", 5)
    client.force_login(marketer)
    page = client.get(reverse("asset-detail", args=[asset.slug])).text
    assert f'data-src="{reverse("asset-pages", args=[asset.slug])}"' in page
    assert 'alt="Preview of Globex deck"' in page
    pages = client.get(reverse("asset-pages", args=[asset.slug]))
    assert pages["Content-Type"] == "application/pdf" and pages["Content-Disposition"].startswith("inline;")
    assert pages["Content-Security-Policy"].startswith("sandbox;")
    assert len(PdfReader(io.BytesIO(body_of(pages))).pages) == 5
    thumbnail = client.get(reverse("asset-thumbnail", args=[asset.slug]))
    assert thumbnail["Content-Type"] == "image/webp" and is_webp(body_of(thumbnail))


@needs_libreoffice
def test_a_docx_is_rendered_to_pages(uploaded):
    asset = uploaded("brief.docx", docx_with_text("Payback in nine months", "Tier one"))
    rendition = asset.current_version.rendition
    assert rendition.status == "ready" and rendition.page_count == 1 and rendition.pdf.name


def test_a_pdf_is_its_own_rendition_with_its_page_count_and_thumbnail(uploaded, client, marketer):
    asset = uploaded("proposal.pdf", pdf_with_pages(["Why", "Plan", "Price"], size=36))
    rendition = asset.current_version.rendition
    assert (rendition.status, rendition.page_count, rendition.pdf.name) == ("ready", 3, "")
    with rendition.thumbnail.open("rb") as handle:
        assert is_webp(handle.read())
    client.force_login(marketer)
    pages = client.get(reverse("asset-pages", args=[asset.slug]))
    assert body_of(pages) == asset.current_version.file.open("rb").read()


def test_markdown_is_shown_as_sanitised_html_and_read_as_pages(uploaded, client, rep):
    markdown = (
        b"# Globex battle plan\n\nWhere we **win**.\n\n- Price\n- Speed\n\n"
        b"<script>alert(1)</script>\n\n[click](javascript:alert(2)) ![x](https://evil.example/x.png)\n\n"
        b"| Them | Us |\n|---|---|\n| slow | fast |\n"
    )
    asset = uploaded("plan.md", markdown, title="Globex plan")
    rendition = asset.current_version.rendition
    assert rendition.status == "ready" and rendition.page_count == 1 and rendition.pdf.name
    assert "<h1>Globex battle plan</h1>" in rendition.html and "<strong>win</strong>" in rendition.html
    assert "<td>fast</td>" in rendition.html
    for unsafe in ("<script", 'href="javascript', "<img", "src="):
        assert unsafe not in rendition.html
    client.force_login(rep)
    page = client.get(reverse("asset-detail", args=[asset.slug])).text
    assert "pdf-viewer" in page and "# Globex" not in page


def test_markdown_not_rendered_yet_is_never_shown_raw(uploaded, client, rep):
    asset = uploaded("talk-track.md", b"# Talk track\n\n## Opening\n\nAsk about **timing**.", render=False)
    client.force_login(rep)
    page = client.get(reverse("asset-detail", args=[asset.slug])).text
    assert "<h2>Opening</h2>" in page and "<strong>timing</strong>" in page
    assert "# Talk track" not in page and "## Opening" not in page


def test_an_image_is_its_own_page_with_a_thumbnail(uploaded):
    rendition = uploaded("chart.png", png_square(900)).current_version.rendition
    assert (rendition.status, rendition.page_count) == ("ready", 1)
    assert rendition.thumbnail.name.endswith(".webp")


def test_plain_text_has_no_rendition_and_is_shown_as_text(uploaded, client, rep):
    asset = uploaded("notes.txt", b"Plain notes")
    assert asset.current_version.rendition.status == "none"
    client.force_login(rep)
    assert (
        f'<iframe src="{reverse("asset-file", args=[asset.slug])}"'
        in client.get(reverse("asset-detail", args=[asset.slug])).text
    )


def test_a_new_version_queues_its_rendition_and_the_task_makes_it(django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from assets.services import asset_version_add
    from tests.factories import AssetFactory

    asset = AssetFactory(external_url="")
    with django_capture_on_commit_callbacks(execute=True):
        version = asset_version_add(asset=asset, file=ContentFile(pdf_with_pages(["a", "b"]), name="a.pdf"))
        assert Rendition.objects.get(version=version).status == "queued"
    rendition = Rendition.objects.get(version=version)
    assert (rendition.status, rendition.page_count) == ("ready", 2)


def test_rendering_again_replaces_the_files_it_made_before(uploaded):
    from assets.renditions.services import rendition_render

    asset = uploaded("proposal.pdf", pdf_with_pages(["one"]))
    first = asset.current_version.rendition.thumbnail
    storage, name = first.storage, first.name
    again = rendition_render(version_id=asset.current_version_id)
    assert again.status == "ready" and again.thumbnail.name
    assert again.thumbnail.name == name or not storage.exists(name)


def test_thumbnails_and_pages_are_served_only_to_people_who_may_see_the_asset(uploaded, client, rep):
    asset = uploaded("proposal.pdf", pdf_with_pages(["one"]))
    type(asset).objects.filter(pk=asset.pk).update(status="draft")
    client.force_login(rep)
    assert client.get(reverse("asset-thumbnail", args=[asset.slug])).status_code == 404
    assert client.get(reverse("asset-pages", args=[asset.slug])).status_code == 404
    client.logout()
    assert client.get(reverse("asset-thumbnail", args=[asset.slug])).status_code == 302
