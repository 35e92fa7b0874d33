"""A rep builds a deal room; the buyer passes the email gate, reads a PDF page by page in the in-page
viewer and a second asset, and leaves; the rep sees what was read, page by page, and gets one email."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from assets.models import Asset, FunnelStage
from assets.services import asset_version_add
from enablement.deals.history import deal_stage_change
from enablement.rooms.models import BuyerNotification, PageView, Visit
from enablement.rooms.services import room_create, room_item_add
from tests.browser.conftest import SCREENSHOTS
from tests.browser.csp import REPORT_VIOLATIONS
from tests.factories import AccountFactory, AssetFactory, DealFactory, UserFactory
from tests.files import pdf_with_pages

# Seconds the buyer spends on pages 1, 2 and 3 of the proposal, and on the second asset.
READING = {1: 2.0, 2: 3.5, 3: 1.0}
SECOND_ASSET = 1.5


@pytest.fixture
def room_world(live_server, one_request_at_a_time):
    rep = UserFactory(username="rita", first_name="Rita", email="rita@vendor.example", role="Reps")
    deal = DealFactory(name="Globex platform", owner=rep, account=AccountFactory(name="Globex"))
    deal_stage_change(
        deal=deal,
        stage=FunnelStage.objects.get(slug="proposal"),
        entered_at=timezone.now() - timedelta(days=3),
    )
    proposal = AssetFactory(title="Globex proposal", external_url="")
    asset_version_add(
        asset=proposal,
        file=ContentFile(
            pdf_with_pages(["1. Why Globex", "2. The plan", "3. Pricing"], size=36), name="proposal.pdf"
        ),
    )
    security = AssetFactory(title="Security overview", external_url="")
    asset_version_add(
        asset=security, file=ContentFile(b"SOC 2 Type II. Data stays in the EU.", name="security.txt")
    )
    AssetFactory(title="Customer story: Initech")
    return {"url": live_server.url, "rep": rep, "deal": deal, "lock": one_request_at_a_time}


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello Rita")).to_be_visible()


def summary_sent(lock, seconds: float = 10) -> None:
    """Until the buyer's last beacons are in and the visit's summary went out (or `seconds` passed)."""
    for _ in range(int(seconds * 10)):
        with lock:
            if Visit.objects.filter(ended_at__isnull=False, summary_sent_at__isnull=False).exists():
                return
        time.sleep(0.1)


def seconds_shown(page: Page, label: str) -> float:
    row = page.locator("table.reading tr", has=page.get_by_text(label, exact=True))
    return float(row.locator("td[data-seconds]").first.get_attribute("data-seconds"))


def test_a_buyer_reads_a_room_page_by_page_and_the_rep_sees_it(page: Page, room_world, browser):
    base, deal, lock = room_world["url"], room_world["deal"], room_world["lock"]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, base)
    page.goto(f"{base}/deals/{deal.pk}/")
    page.get_by_label("Room title").fill("Globex: your evaluation")
    page.get_by_label("Note to the buyer").fill("Everything we discussed on Tuesday.")
    page.get_by_label("Ask for a verified work email").check()
    page.get_by_label("Allowed email domains (optional)").fill("globex.com")
    page.get_by_role("button", name="Create deal room").click()
    expect(page.get_by_text("is ready: add assets")).to_be_visible()
    for title, reason in [
        ("Globex proposal", "The plan and pricing"),
        ("Security overview", "For your security review"),
        ("Customer story: Initech", "A team like yours"),
    ]:
        page.get_by_label("Asset", exact=True).select_option(label=title)
        page.get_by_label("Why this asset (one line)").fill(reason)
        page.get_by_role("button", name="Add to deal room").click()
        expect(page.get_by_text(f"Added “{title}”")).to_be_visible()
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    link = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(rf"{re.escape(base)}/r/[\w-]+/", link)

    buyer = browser.new_context(viewport={"width": 1100, "height": 900})
    reader = buyer.new_page()
    violations: list[str] = []
    reader.expose_function("reportCspViolation", lambda text: violations.append(text))
    reader.add_init_script(REPORT_VIOLATIONS)
    reader.goto(link)
    reader.get_by_label("Work email").fill("someone@gmail.com")
    reader.get_by_role("button", name="Send me a code").click()
    expect(reader.get_by_text("open to addresses at globex.com only")).to_be_visible()
    reader.get_by_label("Work email").fill("pat@globex.com")
    reader.get_by_role("button", name="Send me a code").click()
    expect(reader.get_by_label("Code")).to_be_visible()
    (code_mail,) = [m for m in mail.outbox if m.to == ["pat@globex.com"]]
    code = re.search(r"\b(\d{6})\b", code_mail.body).group(1)
    reader.get_by_label("Code").fill(code)
    reader.get_by_role("button", name="Open the room").click()
    expect(reader.get_by_role("heading", name="Globex: your evaluation")).to_be_visible()
    expect(reader.get_by_text("What this page records")).to_be_visible()
    reader.screenshot(path=str(SCREENSHOTS / "room-buyer.png"), full_page=True)

    reader.get_by_role("link", name="Globex proposal").click()
    status = reader.locator(".pdf-status")
    spent = {}
    for number, seconds in READING.items():
        expect(status).to_have_text(f"Page {number} of 3", timeout=15000)
        shown = time.monotonic()
        if number == 1:
            reader.screenshot(path=str(SCREENSHOTS / "room-pdf.png"), full_page=True)
        reader.wait_for_timeout(seconds * 1000 - (time.monotonic() - shown) * 1000)
        if number < 3:
            reader.get_by_role("button", name="Next page").click()
            expect(status).to_have_text(f"Page {number + 1} of 3", timeout=15000)
        else:
            reader.get_by_role("link", name="Globex: your evaluation").click()
            expect(reader.get_by_role("link", name="Security overview")).to_be_visible()
        spent[number] = time.monotonic() - shown
    reader.get_by_role("link", name="Security overview").click()
    expect(reader.get_by_role("heading", name="Security overview")).to_be_visible()
    opened = time.monotonic()
    reader.wait_for_timeout(SECOND_ASSET * 1000)
    reader.goto("about:blank")  # the buyer leaves
    spent_second = time.monotonic() - opened
    summary_sent(lock)
    buyer.close()
    assert violations == []

    with lock:
        visit = Visit.objects.get()
        assert visit.viewer.email == "pat@globex.com"
        second = PageView.objects.filter(visit=visit, asset__title="Security overview").get()
    assert second.seconds == pytest.approx(spent_second, abs=1.0)
    summaries = [m for m in mail.outbox if m.to == ["rita@vendor.example"]]
    assert len(summaries) == 1 and "Globex proposal" in summaries[0].body

    page.goto(f"{base}/")
    activity = page.locator("section", has=page.get_by_role("heading", name="Buyer activity"))
    expect(activity.get_by_text("First open")).to_be_visible()
    expect(activity.get_by_text("pat@globex.com", exact=False)).to_be_visible()
    page.goto(f"{base}/deals/{deal.pk}/")
    expect(page.get_by_role("heading", name="Buyer engagement")).to_be_visible()
    for number in READING:
        assert seconds_shown(page, f"page {number}") == pytest.approx(spent[number], abs=1.0), number
    page.locator("#engagement-h").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "deal-engagement.png"), full_page=True)


def test_back_and_forward_in_a_room_continue_one_visit_with_one_alert_and_one_summary(
    page: Page, room_world, browser
):
    base, deal, rep, lock = room_world["url"], room_world["deal"], room_world["rep"], room_world["lock"]
    with lock:
        room = room_create(deal=deal, by=rep, title="Globex: your evaluation")
        room_item_add(room=room, asset=Asset.objects.get(title="Security overview"), by=rep)
    buyer = browser.new_context()
    reader = buyer.new_page()
    answers: list[int] = []
    buyer.on("response", lambda r: answers.append(r.status) if r.url.endswith("/events") else None)
    reader.goto(f"{base}/r/{room.token}/")
    reader.get_by_role("link", name="Security overview").click()
    expect(reader.get_by_role("heading", name="Security overview")).to_be_visible()
    reader.wait_for_timeout(1500)
    reader.go_back()  # the asset page says goodbye (end); the room comes back
    expect(reader.get_by_role("link", name="Security overview")).to_be_visible()
    reader.wait_for_timeout(1000)
    reader.go_forward()
    expect(reader.get_by_role("heading", name="Security overview")).to_be_visible()
    reader.wait_for_timeout(1000)
    reader.reload()
    expect(reader.get_by_role("heading", name="Security overview")).to_be_visible()
    reader.wait_for_timeout(1000)
    reader.goto("about:blank")  # the buyer leaves
    summary_sent(lock)
    buyer.close()
    assert answers and all(status == 200 for status in answers), answers
    with lock:
        assert Visit.objects.filter(room=room).count() == 1
        assert BuyerNotification.objects.filter(room=room).count() == 1
    assert len([m for m in mail.outbox if m.to == ["rita@vendor.example"]]) == 1
