"""Benchmark: renditions and the demo's seeding.

- Decks: pages a second of the product's rendition of a 30-slide PPTX (copy out of storage, container
  check, LibreOffice in its own profile and process group, page count and thumbnail with PDFium,
  files stored), against LibreOffice alone converting the same file with a fresh profile, timed in
  the same run; best of three each.
- PDF thumbnails: thumbnails a second over 40 ten-page PDFs through the product's rendition, against
  PDFium alone opening each and drawing page 1 at the same size.
- Seeding: `seed_demo` with its defaults on a fresh SQLite database in a process of its own, tasks
  in-process as `make run` has them, against the same seeding with LibreOffice switched off (decks
  then fall back to their text): the difference is what converting the decks costs.

Run with `make bench` (or `pytest -m benchmark -s`).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from assets.renditions.services import rendition_render
from assets.services import asset_version_add
from tests.factories import AssetFactory
from tests.files import pdf_with_pages, pptx_with_slides

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]
ROOT = Path(__file__).resolve().parents[2]
SLIDES, PDFS, PDF_PAGES = 30, 40, 10


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def bare_libreoffice(deck: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "deck.pptx"
        source.write_bytes(deck)
        profile = (Path(tmp) / "profile").as_uri()
        command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore"]
        command += ["--convert-to", "pdf", "--outdir", tmp, str(source)]
        subprocess.run(command, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_deck_rendition_pages_per_second():
    deck = pptx_with_slides([f"Slide {n}" for n in range(1, SLIDES + 1)])
    asset = AssetFactory(external_url="")
    version = asset_version_add(asset=asset, file=ContentFile(deck, name="deck.pptx"))
    product = best_of(3, lambda: rendition_render(version_id=version.pk))
    assert version.rendition.__class__.objects.get(version=version).page_count == SLIDES
    bare = best_of(3, lambda: bare_libreoffice(deck))
    print(
        f"\nDeck rendition ({SLIDES}-slide PPTX): {SLIDES / product:.1f} pages/s ({product:.2f} s); "
        f"LibreOffice alone {SLIDES / bare:.1f} pages/s ({bare:.2f} s); "
        f"product/bare time {product / bare:.2f}x"
    )


def test_pdf_thumbnails_per_second():
    import pypdfium2 as pdfium

    bodies = [pdf_with_pages([f"Doc {d} page {p}" for p in range(PDF_PAGES)], size=18) for d in range(PDFS)]
    versions = []
    for n, body in enumerate(bodies):
        asset = AssetFactory(external_url="")
        versions.append(asset_version_add(asset=asset, file=ContentFile(body, name=f"doc{n}.pdf")))

    def product_run() -> None:
        for version in versions:
            assert rendition_render(version_id=version.pk).status == "ready"

    def bare_run(encode: bool) -> None:
        for body in bodies:
            document = pdfium.PdfDocument(body)
            page = document[0]
            image = page.render(scale=400 / page.get_width()).to_pil()
            if encode:
                image.convert("RGB").save(io.BytesIO(), format="WEBP", quality=80, method=2)
            document.close()

    product = best_of(3, product_run)
    bare = best_of(3, lambda: bare_run(False))
    encoded = best_of(3, lambda: bare_run(True))
    print(
        f"\nPDF thumbnails ({PDFS} PDFs of {PDF_PAGES} pages): {PDFS / product:.1f}/s through the "
        f"rendition; PDFium drawing page 1 alone {PDFS / bare:.1f}/s (product/bare time "
        f"{product / bare:.2f}x), and encoding the same WebP {PDFS / encoded:.1f}/s "
        f"({product / encoded:.2f}x)"
    )


def seed_seconds(tmp: Path, **env: str) -> float:
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        **env,
    }
    environment.pop("CELERY_BROKER_URL", None)
    tmp.mkdir(parents=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], check=True, env=environment, cwd=ROOT)
    started = time.perf_counter()
    subprocess.run([*manage, "seed_demo"], check=True, env=environment, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def test_seeding_time(tmp_path):
    full = seed_seconds(tmp_path / "full")
    without = seed_seconds(tmp_path / "no-office", LIBREOFFICE="")
    print(
        f"\nseed_demo (defaults, SQLite, tasks in-process): {full:.1f} s (target: under about 60 s); "
        f"without LibreOffice {without:.1f} s; ratio {full / without:.2f}x"
    )
