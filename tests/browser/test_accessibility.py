"""Every page of every role, at 1280×900 and 390×844: no serious or critical axe-core violation, nothing
wider than the window, no control left as the browser draws it. The run prints how many pages and
checks it made (tests/browser/site.py lists the pages)."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.accessibility import VIEWPORTS, page_problems
from tests.browser.conftest import summary_line
from tests.browser.site import BUYER, PAGES, site_world

ROOT = Path(__file__).resolve().parents[2]
# The phone screenshots go to var/screenshots/ on every run; DOC_SCREENSHOTS=1 writes them over the
# manual's copies in docs/screenshots/ (a test run leaves the checkout as it found it otherwise).
SHOTS = ROOT / ("docs/screenshots" if os.environ.get("DOC_SCREENSHOTS") == "1" else "var/screenshots")


@pytest.fixture
def world(live_server, one_request_at_a_time):
    return {"url": live_server.url, **site_world()}


def signed_in_page(browser: Browser, base: str, who: str):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    if who != BUYER:
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill(who)
        page.get_by_label("Password").fill("pw-for-tests")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_attached()
    return page


def test_every_page_of_every_role_passes_axe_and_fits_a_phone(browser: Browser, world):
    by_person = defaultdict(list)
    for site_page in PAGES:
        by_person[site_page.who].append(site_page)
    failures, notes, checks = [], [], 0
    for who, site_pages in by_person.items():
        page = signed_in_page(browser, world["url"], who)
        for site_page in site_pages:
            path = site_page.path.format(**world)
            for viewport in VIEWPORTS.values():
                page.set_viewport_size(viewport)
                response = page.goto(world["url"] + path)
                where = f"{who} · {site_page.name} ({path}) at {viewport['width']}px"
                if response.status != site_page.status:
                    failures.append(f"{where}: answered {response.status}, not {site_page.status}")
                for label, text in site_page.fill:
                    page.get_by_label(label).fill(text)
                if site_page.press:
                    page.get_by_role("button", name=site_page.press).click()
                if site_page.ready:
                    page.locator(site_page.ready).first.wait_for()
                if site_page.phone_shot and viewport == VIEWPORTS["phone"]:
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SHOTS / f"{site_page.phone_shot}.png"))
                failing, noted = page_problems(page)
                failures += [f"{where}: {problem}" for problem in failing]
                notes += [f"{where}: {note}" for note in noted]
                checks += 1
        page.context.close()
    summary_line(
        f"accessibility: {len(PAGES)} pages, {checks} checks (axe-core at "
        f"{' and '.join(str(v['width']) for v in VIEWPORTS.values())} px), "
        f"{len(failures)} failing, {len(notes)} moderate or minor findings"
    )
    for note in notes:
        summary_line(f"  {note}")
    assert failures == [], "\n".join(failures)
