"""The content's whole journey, on PostgreSQL with a real Celery worker and LibreOffice: marketing
uploads a five-slide deck in the studio, fills the form and publishes; its thumbnail shows in search
within a minute; the asset page's viewer reads "Page 1 of 5"; a word only on slide 4 finds it; a rep
puts it in a deal room; the buyer reads slide 3 for a few seconds; the deal page shows the seconds
for page 3. Screenshots for the manual (docs/): the studio, search results with thumbnails, the deck
in a room."""

from __future__ import annotations

import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from assets.models import Asset, FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.demo.collateral.decks import story_deck
from tests.browser.conftest import SCREENSHOTS
from tests.browser.csp import REPORT_VIOLATIONS
from tests.factories import AccountFactory, AssetFactory, DealFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed"),
]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SLIDE_FOUR_WORD = "Quetzalcoatl"
SLIDES = [  # after the cover: slide 4 is the only one with SLIDE_FOUR_WORD
    ("Why now", ["Month-end close takes nine days", "Three versions of revenue reach the board"]),
    ("Our plan", ["Discovery workshop in week one", "Pilot with the finance team", "Roll out by region"]),
    (f"The {SLIDE_FOUR_WORD} migration path", ["Your legacy cubes move in two steps", "Nothing is retyped"]),
    ("Next steps", ["A working session with your analytics lead", "A decision within the quarter"]),
]
READ_SECONDS = 3.0


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS / path.name)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello", exact=False)).to_be_visible()


@pytest.fixture
def world(live_server, celery_worker, tmp_path):
    UserFactory(username="maria", first_name="Maria", role="Marketing", is_staff=True)
    rep = UserFactory(username="rita", first_name="Rita", role="Reps")
    deal = DealFactory(name="Globex platform", owner=rep, account=AccountFactory(name="Globex"))
    proposal = FunnelStage.objects.get(slug="proposal")
    deal_stage_change(deal=deal, stage=proposal, entered_at=timezone.now() - timedelta(days=3))
    AssetFactory(title="Initech case study", summary="How Initech cut reporting time.")
    deck = tmp_path / "Globex_pitch.pptx"
    deck.write_bytes(story_deck("Globex pitch", "Why Globex should move this quarter, and how.", SLIDES))
    return {"url": live_server.url, "deal": deal, "deck": deck}


def upload_and_publish(page: Page, base: str, deck: Path) -> None:
    page.goto(f"{base}/studio/")
    expect(page.get_by_role("heading", name="Content studio")).to_be_visible()
    page.get_by_label("Files").set_input_files(str(deck))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Uploaded as a draft")).to_be_visible(timeout=30000)
    page.get_by_role("link", name="Globex pitch").click()
    page.get_by_label("Title").fill("Globex platform deck")
    page.get_by_label("Summary").fill("The story for Globex's evaluation: why now, the plan, the path.")
    page.get_by_label("Asset type").select_option("deck")
    page.get_by_label("Buyer roles").select_option(label="Champion")
    page.get_by_label("Funnel stages").select_option(label="Proposal")
    page.get_by_label("Audience").select_option("external")
    page.get_by_label("Products").fill("Insight Edge")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Globex platform deck” saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("“Globex platform deck” is published.")).to_be_visible()


def test_a_deck_uploaded_in_the_studio_is_read_slide_by_slide_in_a_deal_room(page: Page, world, browser):
    base, deal = world["url"], world["deal"]
    violations: list[str] = []
    page.expose_function("reportCspViolation", lambda text: violations.append(text))
    page.add_init_script(REPORT_VIOLATIONS)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "maria")
    upload_and_publish(page, base, world["deck"])
    asset = Asset.objects.get(title="Globex platform deck")
    assert sorted(asset.products.names()) == ["Insight Edge"] and asset.status == "published"
    assert asset.owner.username == "maria" and asset.kind == "deck"

    # Within a minute the worker has rendered it: its thumbnail is in the search results.
    thumbnail = page.get_by_role("img", name="Preview of Globex platform deck")
    deadline = time.monotonic() + 60
    while True:
        page.goto(f"{base}/assets/?q=Globex")
        if thumbnail.count() or time.monotonic() > deadline:
            break
        page.wait_for_timeout(1000)
    expect(thumbnail).to_be_visible()
    shot(page, "search-thumbnails")
    page.goto(f"{base}/studio/")
    expect(page.get_by_text("Ready, 5 page(s)")).to_be_visible()
    shot(page, "studio")

    page.goto(f"{base}/assets/{asset.slug}/")
    expect(page.locator(".pdf-status")).to_have_text("Page 1 of 5", timeout=15000)
    page.goto(f"{base}/assets/?q={SLIDE_FOUR_WORD}")
    expect(page.get_by_role("link", name="Globex platform deck", exact=True)).to_be_visible()
    expect(page.get_by_text("1 asset for")).to_be_visible()
    assert violations == []

    rep = browser.new_context(viewport={"width": 1280, "height": 900})
    rep_page = rep.new_page()
    log_in(rep_page, base, "rita")
    rep_page.goto(f"{base}/deals/{deal.pk}/")
    rep_page.get_by_label("Room title").fill("Globex: your evaluation")
    rep_page.get_by_role("button", name="Create deal room").click()
    rep_page.get_by_label("Asset", exact=True).select_option(label="Globex platform deck")
    rep_page.get_by_label("Why this asset (one line)").fill("The plan, slide by slide")
    rep_page.get_by_role("button", name="Add to deal room").click()
    expect(rep_page.get_by_text("Added “Globex platform deck”")).to_be_visible()
    link = rep_page.get_by_label("Link for the buyer: Globex: your evaluation").input_value()

    buyer = browser.new_context(viewport={"width": 1100, "height": 900})
    reader = buyer.new_page()
    reader.goto(link)
    expect(reader.get_by_role("img", name="Preview of Globex platform deck")).to_be_visible()
    reader.get_by_role("link", name="Globex platform deck").click()
    status = reader.locator(".pdf-status")
    expect(status).to_have_text("Page 1 of 5", timeout=15000)
    for number in (2, 3):
        reader.get_by_role("button", name="Next page").click()
        expect(status).to_have_text(f"Page {number} of 5", timeout=15000)
    shown = time.monotonic()
    shot(reader, "room-deck")
    reader.wait_for_timeout(READ_SECONDS * 1000 - (time.monotonic() - shown) * 1000)
    reader.get_by_role("button", name="Next page").click()
    expect(status).to_have_text("Page 4 of 5", timeout=15000)
    spent = time.monotonic() - shown
    reader.goto("about:blank")  # the buyer leaves
    buyer.close()

    rep_page.goto(f"{base}/deals/{deal.pk}/")
    row = rep_page.locator("table.reading tr", has=rep_page.get_by_text("page 3", exact=True))
    expect(row).to_be_visible(timeout=15000)
    seconds = float(row.locator("td[data-seconds]").first.get_attribute("data-seconds"))
    assert seconds == pytest.approx(spent, abs=1.0)
    rep.close()
