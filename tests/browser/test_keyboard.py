"""Keyboard only (Tab, Enter, typing): a rep goes from search to *Log use*, on a desktop and through
the phone's menu; a buyer goes from a room's gate to reading a PDF. Every control that takes the
focus on the way shows it (a visible outline)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from enablement.models import UsageEvent
from enablement.rooms.models import PageView
from tests.browser.accessibility import VIEWPORTS
from tests.browser.site import REP, site_world

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const label = el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].textContent)
    || el.textContent || el.value || "";
  return {
    name: label.replace(/\\s+/g, " ").trim().slice(0, 80),
    outlined: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shown: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
      && box.right > 0 && box.left < innerWidth,
  };
}"""


@pytest.fixture
def world(live_server, one_request_at_a_time):
    return {"url": live_server.url, "lock": one_request_at_a_time, **site_world()}


def tab_to(page: Page, name: str | re.Pattern, *, limit: int = 80) -> None:
    """Press Tab until the focused control is called `name`; every control passed on the way must
    show its focus."""
    wanted = name if isinstance(name, re.Pattern) else re.compile(f"^{re.escape(name)}$")
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["outlined"] and focused["shown"], f"focus not visible on {focused} after {passed}"
        if wanted.search(focused["name"]):
            return
        passed.append(focused["name"])
    raise AssertionError(f"{name!r} never took the focus; Tab went through {passed}")


def type_into(page: Page, field: str, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_rep_goes_from_search_to_log_use_with_the_keyboard_only(page: Page, world, size):
    page.set_viewport_size(VIEWPORTS[size])
    page.goto(f"{world['url']}/accounts/login/")
    type_into(page, "Username", REP)
    type_into(page, "Password", "pw-for-tests")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello Rita")).to_be_visible()

    if size == "phone":
        tab_to(page, "Menu")
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    tab_to(page, re.compile(r"^Find assets$"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Find assets")).to_be_visible()
    type_into(page, re.compile(r"^Search$"), "calculator")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 asset for “calculator”")).to_be_visible()
    tab_to(page, re.compile(r"^ROI calculator for finance teams$"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="ROI calculator for finance teams", level=1)).to_be_visible()

    tab_to(page, re.compile(r"^Deal$"))
    page.keyboard.press("ArrowDown")  # a closed select steps through its choices
    expect(page.get_by_label("Deal", exact=True)).to_have_value(str(world["deal"]))
    tab_to(page, re.compile(r"^Log use$"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Logged: presented in")).to_be_visible()
    assert UsageEvent.objects.filter(source="portal", deal_id=world["deal"], action="presented").exists()


def test_a_buyer_goes_from_a_rooms_gate_to_reading_with_the_keyboard_only(browser, world):
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    page.goto(f"{world['url']}/r/{world['locked_room']}/")
    type_into(page, "Passcode", "orange-42")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Globex: pricing")).to_be_visible()
    tab_to(page, "ROI calculator for finance teams")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Page 1 of 3")).to_be_visible()
    tab_to(page, "Next page")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    page.keyboard.press("Enter")  # the focus stays on Next page
    expect(page.get_by_text("Page 3 of 3")).to_be_visible()
    tab_to(page, "Previous page")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    # Back to the room through its crumb link: moving between the room's pages sends what was read.
    page.keyboard.press("Shift+Tab")
    for _ in range(20):
        if page.evaluate("document.activeElement.textContent.trim()") == "Globex: pricing":
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Globex: pricing")).to_be_visible()
    context.close()
    assert pages_read(world) == {1, 2, 3}


def pages_read(world, *, wanted=frozenset({1, 2, 3}), seconds: float = 10) -> set[int]:
    """The pages of the locked room's PDF recorded as read, once the beacons sent on leaving have
    arrived (they travel after the next page has loaded)."""
    deadline = time.monotonic() + seconds
    while True:
        with world["lock"]:
            views = PageView.objects.filter(visit__room__token=world["locked_room"])
            read = set(views.values_list("page", flat=True))
        if read >= wanted or time.monotonic() > deadline:
            return read
        time.sleep(0.2)
