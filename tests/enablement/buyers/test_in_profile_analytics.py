"""The funnel and the effectiveness page, in and out of the ideal buyer profile, against counts worked
out by hand; and the home's suggestions, which favour the buyer roles in the room."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import AssetStageMetric, Segment
from enablement.analytics.scorecard import FunnelFilters, funnel
from enablement.buyers import services
from enablement.deals.history import deal_stage_change
from enablement.portal.selectors import suggestions_for
from enablement.usage.services import usage_record
from tests.enablement.buyers.conftest import role, stage
from tests.factories import AccountFactory, AssetFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _landmark(db):
    # Discovery's landmark set at 5 days: every deal below resolves after it, so all are at risk.
    FunnelStage.objects.filter(slug="discovery").update(landmark_days=5)


def _deal(n: int, industry: str, *steps: tuple[str, int]):
    """A deal of an EMEA account of 500 people in `industry`, through `steps` (stage, days ago)."""
    account = AccountFactory(industry=industry, size="500", region="EMEA")
    deal = DealFactory(account=account, external_id=f"F{n}")
    for slug, days_ago in steps:
        deal_stage_change(deal=deal, stage=stage(slug), entered_at=timezone.now() - timedelta(days=days_ago))
    return deal


def _used_early(asset, deal) -> None:
    """Used an hour after entering Discovery (60 days ago): before its 5-day landmark."""
    when = timezone.now() - timedelta(days=59, hours=23)
    usage_record(
        event_id=f"u-{deal.pk}",
        asset=asset,
        deal=deal,
        rep=deal.owner,
        action="viewed",
        occurred_at=when,
        source="api",
    )


@pytest.fixture
def funnel_deals(approved_profile):
    """In profile (Software: 3 + 2 + 2 = 7): one advances from Discovery, one is lost there.
    Out (Retail: 0 + 2 + 2 + roles ≤ 3 < 7): three are lost in Discovery, one is still open."""
    deals = [
        _deal(1, "Software", ("discovery", 60), ("proposal", 40), ("closed-won", 20)),
        _deal(2, "Software", ("discovery", 60), ("closed-lost", 30)),
        *[_deal(n, "Retail", ("discovery", 60), ("closed-lost", 30)) for n in (3, 4, 5)],
        _deal(6, "Retail", ("discovery", 10)),
    ]
    services.deals_fit_refresh()
    return deals


def _discovery(f: FunnelFilters) -> tuple[int, int, int, int]:
    row = next(r for r in funnel(analytics_compute(), f)["stages"] if r["stage"].slug == "discovery")
    return row["entered"], row["advanced"], row["lost"], row["open"]


def test_the_funnel_in_and_out_of_profile_counts_as_worked_out_by_hand(funnel_deals):
    assert _discovery(FunnelFilters()) == (6, 1, 4, 1)
    assert _discovery(FunnelFilters(profile="in")) == (2, 1, 1, 0)
    assert _discovery(FunnelFilters(profile="out")) == (4, 0, 3, 1)


def test_the_funnel_page_filters_by_profile(client, marketer, funnel_deals):
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-funnel"), {"profile": "in"}).content.decode()
    assert '<option value="in" selected>In profile</option>' in page
    row = page[page.index('<th scope="row">Discovery</th>') :].split("</tr>")[0]
    assert '<td class="num">2</td><td class="num">1</td><td class="num">1</td><td class="num">0</td>' in row
    assert "50%" in row


def test_the_effectiveness_page_shows_figures_over_deals_in_profile(client, marketer, funnel_deals):
    asset = AssetFactory(title="Software ROI model", stages=[stage("discovery")])
    for deal in funnel_deals[:2]:
        _used_early(asset, deal)
    run = analytics_compute()
    inside = AssetStageMetric.segments.get(run=run, segment=Segment.IN_PROFILE, asset=asset)
    everyone = AssetStageMetric.objects.get(run=run, asset=asset)
    assert (inside.exposed_deals, inside.unexposed_deals) == (2, 0)
    assert everyone.unexposed_deals == 3  # the three Retail deals lost in Discovery
    assert not AssetStageMetric.segments.filter(run=run, segment=Segment.OUT_OF_PROFILE, asset=asset).exists()

    client.force_login(marketer)
    page = client.get(reverse("analytics-assets"), {"profile": "in"}).content.decode()
    assert "Figures over the deals in the ideal buyer profile" in page
    assert "of 0</span>" in page  # no comparable deal in profile went without it
    page = client.get(reverse("analytics-assets"), {"profile": "out"}).content.decode()
    assert "Software ROI model" not in page


def test_without_a_profile_runs_store_no_segment_figures(db):
    asset = AssetFactory(stages=[stage("discovery")])
    deal = _deal(1, "Software", ("discovery", 60), ("closed-lost", 30))
    _used_early(asset, deal)
    run = analytics_compute()
    assert list(AssetStageMetric.segments.filter(run=run).values_list("segment", flat=True)) == [Segment.ALL]


def test_suggestions_put_assets_for_the_roles_in_the_room_first(rep):
    discovery = stage("discovery")
    deal = DealFactory(owner=rep)
    deal_stage_change(deal=deal, stage=discovery, entered_at=timezone.now() - timedelta(days=2))
    popular = AssetFactory(title="Champion kit", stages=[discovery], buyer_roles=[role("champion")])
    AssetFactory(title="Budget case", stages=[discovery], buyer_roles=[role("economic-buyer")])
    other = DealFactory(owner=rep)
    deal_stage_change(deal=other, stage=discovery, entered_at=timezone.now() - timedelta(days=2))
    usage_record(
        event_id="peer",
        asset=popular,
        deal=other,
        rep=rep,
        action="viewed",
        occurred_at=timezone.now(),
        source="api",
    )
    deal.refresh_from_db()

    assert [a.title for a in suggestions_for([deal])[deal.pk]] == ["Champion kit", "Budget case"]
    services.deal_role_add(deal=deal, role=role("economic-buyer"), by=rep)
    picks = suggestions_for([deal])[deal.pk]
    assert [(a.title, a.for_roles) for a in picks] == [
        ("Budget case", ["Economic buyer"]),
        ("Champion kit", []),
    ]


def test_a_refresh_leaves_the_in_profile_figures_of_the_last_full_run(funnel_deals):
    asset = AssetFactory(title="Software ROI model", stages=[stage("discovery")])
    _used_early(asset, funnel_deals[0])
    run = analytics_compute()
    segment_rows = set(
        AssetStageMetric.segments.filter(run=run, segment=Segment.IN_PROFILE).values_list("pk")
    )
    assert segment_rows

    _used_early(asset, funnel_deals[1])
    refreshed = analytics_compute(refresh=True)

    assert (refreshed.pk, refreshed.mode) == (run.pk, "refresh")
    assert AssetStageMetric.objects.get(run=run, asset=asset).exposed_deals == 2
    kept = set(AssetStageMetric.segments.filter(run=run, segment=Segment.IN_PROFILE).values_list("pk"))
    assert kept == segment_rows
    assert AssetStageMetric.segments.get(run=run, segment=Segment.IN_PROFILE, asset=asset).exposed_deals == 1


def test_the_effectiveness_csv_names_the_deals_it_covers(client, marketer, funnel_deals):
    analytics_compute()
    client.force_login(marketer)
    response = client.get(reverse("analytics-assets"), {"profile": "out", "format": "csv"})
    assert 'filename="assets-and-conversion-out-of-profile.csv"' in response["Content-Disposition"]
    response = client.get(reverse("analytics-assets"), {"format": "csv"})
    assert 'filename="assets-and-conversion.csv"' in response["Content-Disposition"]
