"""In a real browser, a share link's view is counted when its page's script runs: a browser with
script off (as link previews and mail scanners fetch) counts none; a buyer counts one per opening."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Browser, expect

from assets.models import FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.models import ShareView
from enablement.sharing.services import share_link_create
from tests.factories import AssetFactory, DealFactory, UserFactory


def test_a_page_whose_script_runs_is_a_view_and_one_without_is_none(browser: Browser, live_server):
    rep = UserFactory(username="rita", role="Reps")
    deal = DealFactory(owner=rep, name="Globex platform")
    deal_stage_change(
        deal=deal,
        stage=FunnelStage.objects.get(slug="proposal"),
        entered_at=timezone.now() - timedelta(days=1),
    )
    link = share_link_create(asset=AssetFactory(title="ROI calculator"), deal=deal, by=rep)
    url = f"{live_server.url}/s/{link.token}/"

    scanner = browser.new_context(java_script_enabled=False, user_agent="Slackbot-LinkExpanding 1.0")
    page = scanner.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name="ROI calculator")).to_be_visible()
    scanner.close()
    assert ShareView.objects.count() == 0

    buyer = browser.new_context()
    page = buyer.new_page()
    with page.expect_response(lambda response: response.url.endswith("/seen")) as reported:
        page.goto(url)
    assert reported.value.json() == {"counted": True}
    buyer.close()
    assert ShareView.objects.filter(link=link).count() == 1
