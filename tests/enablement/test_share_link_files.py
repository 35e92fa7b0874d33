"""What a buyer gets through a share link: the download switch holds for every file type, and a link
to an asset that is no longer published is gone (410) and counts no view."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from assets.services import asset_archive, asset_return_to_draft, asset_version_add
from enablement.models import ShareView
from enablement.sharing.services import share_link_create
from tests.enablement.buyer_page import open_share_link
from tests.factories import AssetFactory, AssetVersionFactory, DealFactory
from tests.files import docx_with_text, pdf_with_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(rep):
    return DealFactory(owner=rep, name="Initech rollout")


def shared(*, rep, deal, name: str, body: bytes, allow_download: bool, text: str | None = None):
    asset = AssetFactory(title="Initech proposal", external_url="")
    version = asset_version_add(asset=asset, file=ContentFile(body, name=name))
    if text is not None:  # what the text-extraction task stores
        version.text = text
        version.save(update_fields=["text"])
    return share_link_create(asset=asset, deal=deal, by=rep, allow_download=allow_download)


def test_a_view_only_link_to_a_docx_hands_over_no_file(client, rep, deal):
    link = shared(
        rep=rep, deal=deal, name="proposal.docx", body=docx_with_text("Pricing", "Tier"), allow_download=False
    )
    for query in ({}, {"download": "1"}):
        response = client.get(reverse("buyer-file", args=[link.token]), query)
        assert response.status_code == 403
        assert "Download not offered" in response.text and "Ask them for a copy" in response.text
        assert "Content-Disposition" not in response


def test_a_view_only_link_to_a_docx_shows_the_buyer_its_text(client, rep, deal):
    rep.first_name, rep.last_name = "Rita", "Ortiz"
    rep.save()
    link = shared(
        rep=rep,
        deal=deal,
        name="proposal.docx",
        body=b"PK",
        allow_download=False,
        text="Three tiers.\nPayback in nine months.",
    )
    page = client.get(reverse("buyer-view", args=[link.token]))
    assert page.status_code == 200
    assert "Payback in nine months." in page.text
    assert "For a copy of the file, ask Rita Ortiz." in page.text
    assert reverse("buyer-file", args=[link.token]) not in page.text  # no frame, no download button


def test_a_view_only_link_to_a_file_without_text_says_to_ask_the_rep(client, rep, deal):
    link = shared(rep=rep, deal=deal, name="model.xlsx", body=b"PK", allow_download=False)
    page = client.get(reverse("buyer-view", args=[link.token]))
    assert "shared to read here only" in page.text and "ask " in page.text
    assert reverse("buyer-file", args=[link.token]) not in page.text


def test_a_view_only_link_still_shows_an_inline_safe_file_inline(client, rep, deal):
    link = shared(
        rep=rep, deal=deal, name="proposal.pdf", body=pdf_with_text("Pricing"), allow_download=False
    )
    page = client.get(reverse("buyer-view", args=[link.token]))
    assert f'data-src="{reverse("buyer-pages", args=[link.token])}"' in page.text
    assert ">Download<" not in page.text
    pages = client.get(reverse("buyer-pages", args=[link.token]))
    assert pages.status_code == 200 and pages["Content-Disposition"].startswith("inline; ")
    response = client.get(reverse("buyer-file", args=[link.token]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline; ")
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert client.get(reverse("buyer-file", args=[link.token]), {"download": "1"}).status_code == 403


def test_a_link_with_downloads_hands_over_a_docx_as_an_attachment_only(client, rep, deal):
    link = shared(rep=rep, deal=deal, name="proposal.docx", body=b"PK", allow_download=True)
    for query in ({}, {"download": "1"}):
        response = client.get(reverse("buyer-file", args=[link.token]), query)
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment; ")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_legacy_html_file_reaches_the_buyer_as_text_never_as_a_page(client, rep, deal):
    asset = AssetFactory(external_url="")
    version = AssetVersionFactory(
        asset=asset, number=1, file=ContentFile(b"<script>alert(1)</script>", name="roi.html"), current=True
    )
    version.text = "ROI in months"
    version.save(update_fields=["text"])
    link = share_link_create(asset=asset, deal=deal, by=rep, allow_download=True)
    page = client.get(reverse("buyer-view", args=[link.token]))
    assert "ROI in months" in page.text and "<iframe" not in page.text and "<script>alert" not in page.text
    response = client.get(reverse("buyer-file", args=[link.token]))
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("unpublish", [asset_archive, asset_return_to_draft], ids=["archived", "draft"])
def test_an_asset_unpublished_after_sharing_is_gone_for_the_buyer_and_counts_no_view(
    client, rep, deal, unpublish
):
    link = shared(rep=rep, deal=deal, name="proposal.pdf", body=pdf_with_text("Pricing"), allow_download=True)
    assert open_share_link(client, link.token).status_code == 200
    unpublish(asset=link.asset)
    page = client.get(reverse("buyer-view", args=[link.token]))
    assert page.status_code == 410 and "This document is no longer available" in page.text
    for query in ({}, {"download": "1"}):
        response = client.get(reverse("buyer-file", args=[link.token]), query)
        assert response.status_code == 410 and "no longer available" in response.text
    assert ShareView.objects.filter(link=link).count() == 1  # the view before it was unpublished
    link.refresh_from_db()
    assert not link.is_active()
