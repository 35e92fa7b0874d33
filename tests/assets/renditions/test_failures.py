"""A file that cannot be rendered ends with a reason on its version and a page that still renders: the
file's text with a one-line note, never a 500 and never a converter left running."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from assets.renditions import services as rendition_services
from assets.renditions.models import Rendition
from assets.renditions.office import office_to_pdf
from assets.renditions.services import renditions_sweep
from tests.assets.renditions.conftest import needs_libreoffice
from tests.files import encrypted_pdf, pdf_with_pages, pptx_with_slides

pytestmark = pytest.mark.django_db


def fails_with(asset, words: str) -> None:
    rendition = asset.current_version.rendition
    assert rendition.status == "failed", rendition.error
    assert words in rendition.error
    assert not rendition.pdf and not rendition.thumbnail and rendition.page_count is None


def page_shows_text(client, user, asset, text: str) -> str:
    client.force_login(user)
    response = client.get(reverse("asset-detail", args=[asset.slug]))
    assert response.status_code == 200
    assert "pdf-viewer" not in response.text
    assert text in response.text
    assert client.get(reverse("asset-pages", args=[asset.slug])).status_code == 404
    return response.text


def with_text(asset, text: str):
    version = asset.current_version
    version.text = text
    version.save(update_fields=["text"])
    return asset


def test_a_corrupt_docx_is_refused_before_libreoffice_with_its_reason(uploaded, client, marketer):
    asset = with_text(uploaded("brief.docx", b"PK\x03\x04 this is not a real document"), "Old brief text")
    fails_with(asset, "not a readable Word document")
    page = page_shows_text(client, marketer, asset, "Old brief text")
    assert "no page view could be made" in page and "not a readable Word document" in page


def test_an_encrypted_pdf_says_so_and_falls_back_to_text(uploaded, client, rep):
    asset = with_text(uploaded("locked.pdf", encrypted_pdf("Pricing")), "Pricing text")
    fails_with(asset, "password-protected")
    page_shows_text(client, rep, asset, "Pricing text")


def test_a_pdf_over_the_page_limit_is_not_rendered(uploaded, client, rep, settings):
    asset = uploaded("archive.pdf", pdf_with_pages([f"Page {n}" for n in range(1, 2001)]))
    fails_with(asset, "has 2,000 pages; pages are shown for up to 1,000")
    with_text(asset, "Two thousand pages")
    page_shows_text(client, rep, asset, "Two thousand pages")


def test_a_damaged_pdf_fails_with_its_reason(uploaded):
    fails_with(uploaded("broken.pdf", b"%PDF-1.4\nnot really"), "cannot be read")


@pytest.fixture
def hanging_office(tmp_path, settings):
    """A stand-in for soffice that never finishes and starts a child of its own, as soffice starts
    soffice.bin; each carries a marker so the test can look for survivors."""
    marker = f"rendition-hang-{os.getpid()}-{tmp_path.name}"
    script = tmp_path / "soffice"
    nap = f'"{sys.executable}" -c "import time; time.sleep(300)" {marker}'
    script.write_text(f"#!/bin/sh\n{nap} &\nexec {nap}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    settings.LIBREOFFICE = str(script)
    settings.RENDITION_TIMEOUT = 1
    return marker


def running_with(marker: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            found.append(cmdline)
    return found


def test_a_conversion_over_the_timeout_is_killed_with_its_whole_process_group(
    uploaded, hanging_office, client, rep
):
    asset = uploaded("deck.pptx", pptx_with_slides(["One", "Two"]))
    fails_with(asset, "longer than 1 seconds (RENDITION_TIMEOUT) and was stopped")
    assert running_with(hanging_office) == []
    page_shows_text(client, rep, with_text(asset, "One Two"), "One Two")


def test_without_libreoffice_office_files_fall_back_to_their_text(uploaded, client, marketer, settings):
    settings.LIBREOFFICE = "no-such-soffice"
    asset = with_text(uploaded("deck.pptx", pptx_with_slides(["Why Globex"])), "Why Globex")
    fails_with(asset, "LibreOffice is not installed on the server")
    page = page_shows_text(client, marketer, asset, "Why Globex")
    assert "see the manual: Operations, Renditions" in page


@needs_libreoffice
def test_libreoffice_leaves_no_process_behind(uploaded, tmp_path, monkeypatch):
    # The conversion's directory (and LibreOffice's profile in it) under this test's own directory, so
    # the processes looked for are this conversion's and no other run's on the machine.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    workdirs = []

    def converting(source, workdir):
        workdirs.append(workdir)
        return office_to_pdf(source, workdir)

    monkeypatch.setattr(rendition_services, "office_to_pdf", converting)
    asset = uploaded("deck.pptx", pptx_with_slides(["One"]))
    assert asset.current_version.rendition.status == "ready"
    assert [w.parent for w in workdirs] == [tmp_path]
    assert running_with(str(tmp_path)) == []


def test_the_buyer_sees_the_text_without_the_servers_reason(uploaded, rep, client, settings):
    from enablement.sharing.services import share_link_create
    from tests.factories import DealFactory

    settings.LIBREOFFICE = ""
    asset = with_text(uploaded("deck.pptx", pptx_with_slides(["Why Globex"])), "Why Globex")
    link = share_link_create(asset=asset, deal=DealFactory(owner=rep), by=rep)
    page = client.get(reverse("buyer-view", args=[link.token])).text
    assert "Why Globex" in page and "cannot be shown page by page" in page
    assert "LibreOffice" not in page


def test_a_rendition_whose_worker_died_is_ended_with_its_reason_and_the_text_shown(
    uploaded, client, rep, settings
):
    """A worker killed mid-conversion leaves its rendition *rendering*; beat's sweep ends it once the
    conversion's own timeout is long past, never one still within it."""
    settings.RENDITION_TIMEOUT = 120
    asset = with_text(uploaded("deck.pptx", b"PK\x03\x04", render=False), "Deck text")
    rendition = asset.current_version.rendition
    started = timezone.now()
    Rendition.objects.filter(pk=rendition.pk).update(status="rendering", started_at=started)

    assert renditions_sweep(now=started + timedelta(seconds=240)) == 0
    rendition.refresh_from_db()
    assert rendition.status == "rendering"

    assert renditions_sweep(now=started + timedelta(seconds=301)) == 1
    rendition.refresh_from_db()
    assert rendition.status == "failed" and "its worker ended" in rendition.error
    page_shows_text(client, rep, asset, "Deck text")
