"""A rep adds a buyer role to a deal and the home's suggestions follow it; the profile page and marketing's
re-ranked build-next page are photographed for the manual (docs/)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from assets.models import BuyerRole, FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.buyers import services
from enablement.deals.history import deal_stage_change
from enablement.usage.services import usage_record
from tests.browser.logins import log_in
from tests.enablement.analytics.committee_deals import inquiry_deal
from tests.factories import AccountFactory, AssetFactory, DealFactory, UserFactory


@pytest.fixture
def world(live_server, django_capture_on_commit_callbacks):
    rep = UserFactory(username="rita", first_name="Rita", role="Reps")
    marketer = UserFactory(username="mara", first_name="Mara", role="Marketing", is_staff=True)
    admin = UserFactory(username="ada", role="Admins", is_staff=True, is_superuser=True)
    discovery = FunnelStage.objects.get(slug="discovery")
    roles = {r.slug: r for r in BuyerRole.objects.all()}
    account = AccountFactory(name="Globex", industry="Software", size="500", region="EMEA")
    deal = DealFactory(name="Globex platform", owner=rep, account=account)
    peer = DealFactory(name="Initech pilot", owner=rep)
    for d in (deal, peer):
        deal_stage_change(deal=d, stage=discovery, entered_at=timezone.now() - timedelta(days=4))
    champion_kit = AssetFactory(
        title="Champion enablement kit", stages=[discovery], buyer_roles=[roles["champion"]]
    )
    AssetFactory(title="CFO business case", stages=[discovery], buyer_roles=[roles["economic-buyer"]])
    usage_record(event_id="peer-1", asset=champion_kit, deal=peer, rep=rep, action="viewed", source="api")
    profile = services.profile_propose(
        by=marketer,
        summary="Mid-size software companies in EMEA, with the economic buyer met by Discovery.",
        industries=["Software"],
        size_bands=["201-1000"],
        regions=["EMEA"],
        roles_by_stage={discovery: [roles["economic-buyer"]]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_approve(profile=profile, by=admin)
    return {"url": live_server.url}


def suggestions_of(page: Page, deal_name: str) -> list[str]:
    card = page.locator("li.deal", has=page.get_by_role("link", name=deal_name))
    return card.locator("ul.suggestions li a").all_inner_texts()


def test_a_rep_adds_a_role_to_a_deal_and_the_home_suggestions_change(page: Page, world, screenshot):
    base = world["url"]
    log_in(page, base, "rita")
    expect(page.get_by_role("heading", name="Who we sell to")).to_be_visible()
    assert suggestions_of(page, "Globex platform") == ["Champion enablement kit", "CFO business case"]

    page.get_by_role("link", name="Globex platform").click()
    expect(page.get_by_text("7 / 10")).to_be_visible()  # 3 + 2 + 2, and the economic buyer not met
    page.get_by_label("Buyer role").select_option(label="Economic buyer")
    page.get_by_label("Contact (optional)").fill("Dana Whitfield")
    page.get_by_role("button", name="Add role").click()
    expect(page.get_by_text("Economic buyer is now on the buying committee.")).to_be_visible()
    expect(page.get_by_text("10 / 10")).to_be_visible()
    screenshot("deal-fit")

    page.get_by_role("link", name="Home").first.click()
    assert suggestions_of(page, "Globex platform") == ["CFO business case", "Champion enablement kit"]
    card = page.locator("li.deal", has=page.get_by_role("link", name="Globex platform"))
    expect(card.get_by_text("for the economic buyer in the room")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Buyer profile").click()
    expect(page.get_by_role("heading", name="Ideal buyer profile")).to_be_visible()
    expect(page.locator("p.lead")).to_contain_text("Mid-size software companies in EMEA")
    screenshot("buyer-profile")


def test_marketing_sees_build_next_ranked_by_the_roles_in_the_room(page: Page, live_server, screenshot):
    UserFactory(username="mara", first_name="Mara", role="Marketing", is_staff=True)
    # Inquiry: the champion in eight of ten deals (six lost), procurement in two (one lost);
    # Discovery: the economic buyer in four of five (three lost).
    for outcome, roles in [
        *[("lost", ["champion"])] * 6,
        ("lost", ["procurement"]),
        ("advanced", ["champion"]),
    ]:
        inquiry_deal(outcome, roles)
    inquiry_deal("advanced", ["champion"])
    inquiry_deal("advanced", ["procurement"])
    for outcome, roles in [
        *[("lost", ["economic-buyer"])] * 3,
        ("advanced", ["economic-buyer"]),
        ("lost", []),
    ]:
        inquiry_deal(outcome, roles, stage="discovery")
    analytics_compute()

    log_in(page, live_server.url, "mara")
    page.goto(f"{live_server.url}/analytics/build-next/")
    titles = page.locator("ol.ranked li strong").all_inner_texts()
    assert titles.index("Champion at Inquiry") < titles.index("Procurement at Inquiry")
    assert "Economic buyer at Inquiry" not in titles  # never in the room there: nothing to weigh
    first = page.locator("ol.ranked li").first
    expect(first).to_contain_text("Present in 8 of 10 Inquiry deals, 75% of them lost")
    screenshot("build-next")
