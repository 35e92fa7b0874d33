"""A rep finds, uses and shares an asset in a real browser; the buyer opens the link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from assets.models import BuyerRole, FunnelStage
from assets.services import asset_version_add
from assets.version_text import asset_version_text_extract
from enablement.deals.history import deal_stage_change
from enablement.models import ShareView, UsageEvent
from tests.browser.conftest import SCREENSHOTS
from tests.factories import AssetFactory, DealFactory, UserFactory
from tests.files import pdf_with_text


@pytest.fixture
def portal(live_server):
    """A rep with an open deal at Proposal and three assets, served by the live server."""
    rep = UserFactory(username="rita", first_name="Rita", role="Reps")
    proposal = FunnelStage.objects.get(slug="proposal")
    deal = DealFactory(name="Globex platform", owner=rep)
    deal_stage_change(deal=deal, stage=proposal, entered_at=timezone.now() - timedelta(days=3))
    buyer, champion = BuyerRole.objects.get(slug="economic-buyer"), BuyerRole.objects.get(slug="champion")
    roi = AssetFactory(
        title="ROI calculator",
        slug="roi-calculator",
        kind="roi_calculator",
        external_url="",
        summary="Payback period from the buyer's own numbers.",
        buyer_roles=[buyer],
        stages=[proposal],
    )
    version = asset_version_add(
        asset=roi, file=ContentFile(pdf_with_text("ROI calculator. Payback in months."), name="roi.pdf")
    )
    asset_version_text_extract(version_id=version.pk)
    AssetFactory(
        title="Champion battlecard",
        kind="battlecard",
        buyer_roles=[champion],
        stages=[proposal],
        summary="Questions that expose the incumbent.",
    )
    AssetFactory(
        title="The cost of delay",
        kind="whitepaper",
        buyer_roles=[buyer],
        summary="Research on delayed analytics projects.",
    )
    return {"url": live_server.url, "rep": rep, "deal": deal, "asset": roi}


def wait_for_pdf_viewer(page: Page) -> None:
    """The page viewer (PDF.js) has drawn page 1 and says so."""
    expect(page.locator(".pdf-status")).to_contain_text("Page 1 of", timeout=15000)


def log_in(page: Page, base: str, username: str = "rita") -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello Rita")).to_be_visible()


def search_settled(page: Page, url_pattern: str) -> None:
    """Wait until htmx has swapped in the filtered search page and wired its new form.

    htmx pushes the URL just before it swaps, but listens on the new form only when it settles
    (20 ms later, when it drops the `htmx-added` class); a change made in between is not heard."""
    expect(page).to_have_url(re.compile(url_pattern))
    expect(page.locator("#search-page.htmx-added")).to_have_count(0)


def test_rep_searches_filters_opens_logs_use_and_shares_and_the_buyer_opens_the_link(
    page: Page, portal, screenshot, browser
):
    base = portal["url"]
    log_in(page, base)
    expect(page.get_by_role("link", name="Globex platform")).to_be_visible()
    expect(page.get_by_role("link", name="ROI calculator").first).to_be_visible()  # suggested for Proposal
    screenshot("home")

    page.get_by_role("link", name="Find assets").click()
    page.get_by_label("Search", exact=True).fill("calculator")
    page.get_by_label("Search", exact=True).press("Enter")
    search_settled(page, r"q=calculator")  # the swapped-in form hears the filter changes below
    expect(page.get_by_text("1 asset for “calculator”")).to_be_visible()
    expect(page.get_by_role("link", name="ROI calculator", exact=True)).to_be_visible()
    page.get_by_label("Buyer role").select_option("champion")
    search_settled(page, r"buyer_role=champion")
    expect(page.get_by_text("0 assets for “calculator”")).to_be_visible()
    page.get_by_label("Buyer role").select_option("economic-buyer")
    search_settled(page, r"buyer_role=economic-buyer")
    expect(page.get_by_role("link", name="ROI calculator", exact=True)).to_be_visible()
    page.get_by_label("Funnel stage").select_option("proposal")
    search_settled(page, r"stage=proposal")
    page.get_by_label("Asset type").select_option("roi_calculator")
    search_settled(page, r"buyer_role=economic-buyer&stage=proposal&kind=roi_calculator")
    expect(page.get_by_text("1 asset for “calculator”")).to_be_visible()
    expect(page.get_by_label("Asset type")).to_have_value("roi_calculator")
    screenshot("search")

    page.get_by_role("link", name="ROI calculator", exact=True).click()
    expect(page.get_by_role("heading", name="ROI calculator", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Download")).to_be_visible()
    wait_for_pdf_viewer(page)
    screenshot("asset")

    page.get_by_label("Deal", exact=True).select_option(label="Globex platform (Proposal)")
    page.get_by_role("button", name="Log use").click()
    expect(page.get_by_role("status").filter(has_text="Logged: presented in")).to_be_visible()
    event = UsageEvent.objects.get(source="portal")
    assert (event.deal, event.rep, event.stage.slug) == (portal["deal"], portal["rep"], "proposal")

    page.get_by_label("Deal to share in").select_option(label="Globex platform")
    page.get_by_role("button", name="Share with buyer").click()
    link_url = page.get_by_label("Link for the buyer").input_value()
    assert "/s/" in link_url

    buyer = browser.new_context()  # no session: the buyer is not a user
    buyer_page = buyer.new_page()
    with buyer_page.expect_response(lambda response: response.url.endswith("/seen")) as reported:
        buyer_page.goto(link_url)  # the page's script reports the view once it is shown
    assert reported.value.status == 200
    expect(buyer_page.get_by_role("heading", name="ROI calculator")).to_be_visible()
    expect(buyer_page.get_by_role("link", name="Download")).to_be_visible()
    wait_for_pdf_viewer(buyer_page)
    buyer_page.screenshot(path=str(SCREENSHOTS / "buyer.png"), full_page=True)
    buyer.close()
    assert ShareView.objects.filter(link__deal=portal["deal"]).count() == 1


def test_a_search_with_no_result_offers_to_request_content_prefilled(page: Page, portal):
    log_in(page, portal["url"])
    page.goto(f"{portal['url']}/assets/?q=pricing+sheet+for+procurement&stage=negotiation")
    page.get_by_role("link", name="Request content").click()
    expect(page.get_by_label("What do you need?")).to_have_value("pricing sheet for procurement")
    expect(page.get_by_label("Funnel stage")).to_have_value(
        str(FunnelStage.objects.get(slug="negotiation").pk)
    )
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Request sent to marketing")).to_be_visible()
    expect(page.get_by_role("button", name="▲ 1")).to_be_visible()
