"""Marketing reads the demo's analytics in Chromium: the forest plots, what to do now, the digest page
and the funnel by quarter, photographed at 1280 and 390 pixels wide for the manual (docs/)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from enablement.demo.data import DEMO_PASSWORD
from enablement.demo.planted import PLANTED

HELPER = next(slug for slug, stages in PLANTED.items() if "proposal" in stages)


@pytest.fixture(scope="module")
def widths() -> list[int]:
    return [1280, 390]


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=StringIO())  # its analytics are computed when it commits
    return live_server.url


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("marketing")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def charts_drawn(page: Page) -> None:
    """Every chart on the page has been drawn by Chart.js (it marks the canvas it owns)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas')].every((c) => window.Chart && Chart.getChart(c))"
    )


def test_marketing_reads_the_demos_analytics(page: Page, demo, screenshot, widths):
    log_in(page, demo)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{demo}/analytics/")
        todo = page.get_by_role("region", name="What to do now")
        promote = "Promote Insight Cloud ROI calculator at Proposal"
        for name in (promote, "Refresh or retire Insight Cloud first-meeting deck"):
            expect(todo.get_by_role("link", name=name, exact=True)).to_be_visible()
        charts_drawn(page)
        screenshot(f"what-to-do-now-{width}", locator=todo)
        by_quarter = page.get_by_role("region", name="By quarter")
        expect(by_quarter.get_by_role("table", name="Each stage by quarter")).to_be_visible()
        screenshot(f"funnel-by-quarter-{width}", locator=by_quarter)

        page.goto(f"{demo}/analytics/assets/?stage=proposal")
        charts_drawn(page)
        forest = page.locator("figure.forest-figure")
        expect(forest.get_by_text("Adjusted lift of each asset at Proposal")).to_be_visible()
        screenshot(f"forest-stage-{width}", locator=forest)

        page.goto(f"{demo}/analytics/assets/{HELPER}/")
        charts_drawn(page)
        expect(page.get_by_role("heading", name="Read by buyers")).to_be_visible()
        screenshot(f"forest-asset-{width}", locator=page.locator(".side-by-side").first)

        page.goto(f"{demo}/analytics/digest/")
        expect(page.get_by_label("Week")).to_be_visible()
        expect(page.get_by_role("heading", name="Assets with higher conversion")).to_be_visible()
        screenshot(f"digest-{width}")
