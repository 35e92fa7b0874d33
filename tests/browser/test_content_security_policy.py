"""No page breaks the Content Security Policy in a real browser: the rep's pages (with htmx, the share
link's copy button), the buyer's page, marketing's charts, the admin and the Swagger UI report no
violation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.deals.history import deal_stage_change
from tests.browser.csp import REPORT_VIOLATIONS
from tests.factories import AssetFactory, DealFactory, UserFactory


@pytest.fixture
def violations(page: Page) -> list[str]:
    found: list[str] = []

    def report(text: str) -> None:
        found.append(text)

    page.expose_function("reportCspViolation", report)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: "Content Security Policy" in message.text and report(message.text))
    return found


@pytest.fixture
def site(live_server):
    """A rep with a deal that used an asset, marketing, an admin, and an analytics run to chart."""
    rep = UserFactory(username="cara", first_name="Cara", role="Reps")
    proposal, won = FunnelStage.objects.get(slug="proposal"), FunnelStage.objects.get(slug="closed-won")
    asset = AssetFactory(title="ROI calculator", slug="roi-calculator", stages=[proposal])
    deal = DealFactory(name="Globex platform", owner=rep)
    deal_stage_change(deal=deal, stage=proposal, entered_at=timezone.now() - timedelta(days=9))
    closed = DealFactory(name="Initech renewal", owner=rep)
    deal_stage_change(deal=closed, stage=proposal, entered_at=timezone.now() - timedelta(days=20))
    deal_stage_change(deal=closed, stage=won, entered_at=timezone.now() - timedelta(days=10))
    analytics_compute()
    UserFactory(username="mia", role="Marketing", is_staff=True)
    UserFactory(username="ada", role="Admins", is_staff=True, is_superuser=True)
    return {"url": live_server.url, "asset": asset, "deal": deal}


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_reps_pages_report_no_policy_violation(page: Page, site, violations):
    base = site["url"]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, base, "cara")
    expect(page.get_by_role("heading", name="Hello Cara")).to_be_visible()

    page.goto(f"{base}/assets/?q=roi")
    expect(page.get_by_role("link", name="ROI calculator", exact=True)).to_be_visible()
    page.get_by_label("Search", exact=True).fill("calculator")
    page.get_by_label("Search", exact=True).press("Enter")  # an htmx swap
    expect(page.get_by_text("1 asset for “calculator”")).to_be_visible()

    page.get_by_role("link", name="ROI calculator", exact=True).click()
    page.get_by_label("Deal to share in").select_option(label="Globex platform")
    page.get_by_role("button", name="Share with buyer").click()
    page.get_by_role("button", name="Copy").click()  # was an inline onclick handler
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    buyer_link = page.get_by_label("Link for the buyer").input_value()

    page.goto(f"{base}/deals/{site['deal'].pk}/")
    expect(page.get_by_role("heading", name="Globex platform")).to_be_visible()
    page.goto(buyer_link)  # the buyer's page
    expect(page.get_by_role("heading", name="ROI calculator")).to_be_visible()
    assert violations == []


def test_marketings_analytics_charts_report_no_policy_violation(page: Page, site, violations):
    log_in(page, site["url"], "mia")
    page.goto(f"{site['url']}/analytics/")
    expect(page.locator("#chart-conversion")).to_be_visible()
    # Chart.js has drawn: the canvas was sized by the script.
    expect(page.locator("#chart-conversion")).to_have_attribute("style", re.compile("width"))
    assert violations == []


def test_the_admin_and_the_api_docs_report_no_policy_violation(page: Page, site, violations):
    base = site["url"]
    log_in(page, base, "ada")
    page.goto(f"{base}/admin/")
    expect(page.get_by_role("link", name="Funnel stages")).to_be_visible()
    page.goto(f"{base}/admin/assets/asset/{site['asset'].pk}/change/")
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    page.goto(f"{base}/admin/assets/funnelstage/")  # drag-and-drop ordering (django-admin-sortable2)
    expect(page.get_by_role("link", name="Proposal")).to_be_visible()
    page.goto(f"{base}/api/docs/")
    expect(page.get_by_text("Enablement tracker API").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()  # the operations were drawn from the schema
    assert violations == []


def test_the_admin_asset_list_and_import_pages_report_no_policy_violation(page: Page, site, violations):
    # The asset list colours each status and flags an overdue review; the import page styles its
    # progress and result. Inline style="…" attributes and <style> blocks are refused by the policy.
    AssetFactory(title="Overdue battlecard", review_by=timezone.localdate() - timedelta(days=3))
    base = site["url"]
    log_in(page, base, "ada")
    page.goto(f"{base}/admin/assets/asset/")
    expect(page.get_by_text("(overdue)")).to_be_visible()
    page.goto(f"{base}/admin/enablement/importrun/add/")
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    assert violations == []
