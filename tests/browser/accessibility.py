"""What the accessibility test checks on each page: axe-core's rules, the page's width, and controls
left as the browser draws them.

axe-core is vendored under vendor/axe-core (see its README) and evaluated in the page through the
DevTools protocol, which the site's Content Security Policy does not govern: the pages are checked
as they are served, with their policy on.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
# The impacts that fail a page; axe's "moderate" and "minor" findings are printed, not failed.
BLOCKING = ("serious", "critical")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""

# Wider than the window: the document, or any element that pokes out past the right edge (an element
# inside a box that scrolls on its own, such as a wide table in .table-scroll, does not count).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) { continue; }
    let scroller = el.parentElement;
    while (scroller && scroller !== document.body) {
      const style = getComputedStyle(scroller);
      if (/(auto|scroll|hidden)/.test(style.overflowX)) { break; }
      scroller = scroller.parentElement;
    }
    if (!scroller || scroller === document.body) {
      const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
      const name = [el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""), ...classes].join(".");
      found.push(`${name} reaches ${Math.round(box.right)}px`);
      if (found.length > 4) { break; }
    }
  }
  return found;
}"""

# Buttons and selects the site's CSS never reached keep the browser's grey face and outset border;
# a select offering Django's "---------" tells the person nothing.
UNSTYLED = """() => {
  const found = [];
  for (const el of document.querySelectorAll("button, select, input[type=submit]")) {
    if (!el.offsetParent) { continue; }
    const style = getComputedStyle(el);
    if (style.borderTopStyle === "outset" || style.backgroundColor === "rgb(239, 239, 239)") {
      const label = el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent || el.value;
      found.push(`unstyled ${el.tagName.toLowerCase()} “${label.trim().slice(0, 40)}”`);
    }
  }
  for (const option of document.querySelectorAll("option")) {
    if (/^-{3,}$/.test(option.textContent.trim())) {
      found.push(`a “${option.textContent.trim()}” choice in select ${option.parentElement.name}`);
    }
  }
  return found;
}"""


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it stands, all impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    return page.evaluate(RUN_AXE)


def page_problems(page: Page) -> tuple[list[str], list[str]]:
    """(what fails the page, what is only reported), at the size the page is shown."""
    failing, noted = [], []
    for violation in axe_violations(page):
        line = f"{violation['id']} ({violation['impact']}): {violation['help']} at {violation['nodes']}"
        (failing if violation["impact"] in BLOCKING else noted).append(line)
    failing += page.evaluate(OVERFLOW)
    failing += page.evaluate(UNSTYLED)
    return failing, noted
