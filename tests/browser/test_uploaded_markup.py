"""Uploaded markup never runs script in the portal's origin, and inline-safe files still preview.

Files stored before the upload allow-list (legacy data) carry script that would read the API with the
signed-in rep's session. A rep opens each such asset every way the portal offers it; the test
watches every request of the browser context and the page titles for the script's marks.
"""

from __future__ import annotations

import contextlib

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from enablement.sharing.services import share_link_create
from tests.factories import AssetFactory, AssetVersionFactory, DealFactory, UserFactory
from tests.files import pdf_with_text, png_square

MARK = "PWNED"
# Reads the rep's deals through the API, then reports them and marks every document it can reach.
SCRIPT = (
    "fetch('/api/v1/deals/', {credentials: 'include'})"
    ".then(r => r.text()).then(t => fetch('/stolen/?' + encodeURIComponent(t.slice(0, 40))));"
    f"document.title = '{MARK}'; try {{ top.document.title = '{MARK}'; }} catch (e) {{}}"
)
MARKUP = {
    "page.xhtml": (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f"<title>xhtml</title></head><body><p>Hello</p><script>//<![CDATA[\n{SCRIPT}\n//]]></script>"
        "</body></html>"
    ),
    "logo.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f"<script>//<![CDATA[\n{SCRIPT}\n//]]></script><rect width='10' height='10'/></svg>"
    ),
    "roi.html": (
        f"<html><head><title>roi</title></head><body><h1>ROI</h1><script>{SCRIPT}</script>"
        f'<img src="missing.png" onerror="{SCRIPT.replace(chr(34), chr(39))}"></body></html>'
    ),
}


@pytest.fixture
def signed_in(live_server, context: BrowserContext):
    """A rep with an open deal, signed in in the browser context; every request is recorded."""
    rep = UserFactory(username="rita", first_name="Rita", role="Reps")
    deal = DealFactory(name="Globex platform", owner=rep)
    client = Client()
    client.force_login(rep)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    return {"url": live_server.url, "rep": rep, "deal": deal, "requests": requests}


def planted(name: str, body: bytes, *, rep, deal):
    """An asset whose current file was stored as is (past today's upload rules), and a share link."""
    asset = AssetFactory(title=f"Planted {name}", external_url="")
    AssetVersionFactory(asset=asset, number=1, file=ContentFile(body, name=name), current=True)
    link = share_link_create(asset=asset, deal=deal, by=rep, allow_download=True)
    return asset, link


def settle(page: Page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(400)  # time for a script's fetch to leave, had it run


def visit(page: Page, url: str) -> None:
    try:
        page.goto(url)
    except PlaywrightError as exc:  # an attachment ends the navigation as a download
        if "Download is starting" not in str(exc) and "net::ERR_ABORTED" not in str(exc):
            raise
    settle(page)


def titles(page: Page) -> list[str]:
    found = [page.title()]
    for frame in page.frames[1:]:
        # A frame that cannot be scripted (sandboxed, a PDF viewer) cannot have been marked either.
        with contextlib.suppress(PlaywrightError):
            found.append(frame.evaluate("document.title"))
    return found


def test_the_watch_sees_a_fetch_of_the_deals_api_made_from_a_portal_page(page: Page, signed_in):
    # The negative assertions below mean something only if such a request would be seen.
    page.goto(f"{signed_in['url']}/")
    with page.expect_request("**/api/v1/deals/"):
        page.evaluate("fetch('/api/v1/deals/').then(r => r.status)")
    assert any("/api/v1/deals/" in url for url in signed_in["requests"])


@pytest.mark.parametrize("name", sorted(MARKUP))
def test_uploaded_markup_never_runs_script_in_the_portals_origin(page: Page, signed_in, name):
    base, requests = signed_in["url"], signed_in["requests"]
    asset, link = planted(name, MARKUP[name].encode(), rep=signed_in["rep"], deal=signed_in["deal"])
    downloads: list[str] = []
    page.on("download", lambda download: downloads.append(download.suggested_filename))
    seen_titles: list[str] = []

    page.goto(f"{base}/assets/{asset.slug}/")
    settle(page)
    expect(page.get_by_role("heading", name=asset.title)).to_be_visible()
    expect(page.get_by_role("link", name="Download")).to_be_visible()
    seen_titles += titles(page)
    for url in (f"{base}/assets/{asset.slug}/file/", f"{base}/assets/{asset.slug}/download/"):
        visit(page, url)
        seen_titles += titles(page)

    visit(page, f"{base}/s/{link.token}/")  # the buyer's page, opened by the signed-in rep
    expect(page.get_by_role("heading", name=asset.title)).to_be_visible()
    seen_titles += titles(page)
    for url in (f"{base}/s/{link.token}/file/", f"{base}/s/{link.token}/file/?download=1"):
        visit(page, url)
        seen_titles += titles(page)

    ran = [url for url in requests if "/api/v1/deals/" in url or "/stolen/" in url]
    assert ran == [] and MARK not in seen_titles, f"script from {name} ran: {ran}"
    # Every address that hands over the file itself gave it as a download, never as a page.
    assert downloads == [name] * 4


def test_inline_safe_files_still_preview_on_the_asset_page(page: Page, signed_in):
    base, rep, deal = signed_in["url"], signed_in["rep"], signed_in["deal"]
    image, _ = planted("chart.png", png_square(), rep=rep, deal=deal)
    text, _ = planted("talk-track.txt", b"Open with the payback question.", rep=rep, deal=deal)
    pdf, _ = planted("deck.pdf", pdf_with_text("Payback in nine months"), rep=rep, deal=deal)

    page.goto(f"{base}/assets/{image.slug}/")
    preview = page.get_by_role("img", name=f"Preview of {image.title}")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 8

    page.goto(f"{base}/assets/{text.slug}/")
    frame = page.frame_locator(f'iframe[title="Preview of {text.title}"]')
    expect(frame.locator("body")).to_contain_text("Open with the payback question.")

    page.goto(f"{base}/assets/{pdf.slug}/")
    # The page viewer (PDF.js) reads the PDF from its checked address despite the file's CSP sandbox.
    expect(page.locator(".pdf-status")).to_have_text("Page 1 of 1", timeout=15000)
