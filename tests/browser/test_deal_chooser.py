"""A rep with many open deals finds the one to log a use in by typing part of its name."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from assets.models import FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.deals.models import Deal
from enablement.models import UsageEvent
from enablement.portal.forms import DEAL_CHOICES
from tests.factories import AssetFactory, DealFactory, UserFactory


def test_a_rep_finds_a_deal_outside_the_list_by_typing_and_logs_a_use_in_it(page, live_server):
    rep = UserFactory(username="rita", role="Reps")
    globex = DealFactory(name="Globex platform", owner=rep)
    deal_stage_change(
        deal=globex,
        stage=FunnelStage.objects.get(slug="proposal"),
        entered_at=timezone.now() - timedelta(days=3),
    )
    Deal.objects.filter(pk=globex.pk).update(updated_at=timezone.now() - timedelta(days=400))
    for n in range(DEAL_CHOICES + 5):  # more recently active, so Globex is not in the list
        DealFactory(name=f"Initech phase {n}", owner=rep)
    asset = AssetFactory(title="ROI calculator", slug="roi-calculator")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/assets/{asset.slug}/")
    chooser = page.get_by_label("Deal", exact=True)
    expect(chooser.locator("option", has_text="Globex platform")).to_have_count(0)

    page.get_by_label("Search your open deals", exact=True).fill("globex")
    expect(chooser.locator("option")).to_have_count(2)  # "Choose one…" and Globex
    chooser.select_option(label="Globex platform (Proposal)")
    page.get_by_role("button", name="Log use").click()
    expect(page.get_by_role("status").filter(has_text="Logged: presented in Globex platform")).to_be_visible()
    assert UsageEvent.objects.filter(deal=globex, asset=asset, rep=rep, stage__slug="proposal").exists()
