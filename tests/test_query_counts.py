"""Pages run the same number of SQL queries however many assets, deals and rows there are: search,
home, the deal and asset pages, and the admin's changelists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assets.models import BuyerRole, FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.sharing.services import share_link_create, share_view_record
from enablement.usage.services import usage_record
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db


def grow(rep, n: int) -> None:
    """Add 2n assets (tagged, with roles and stages) and n open deals of the rep with history and usage.

    Every page has something to show even at the small size (results for each filter, a suggestion
    for each deal), so the two sizes are compared like for like.
    """
    stages = list(FunnelStage.objects.filter(outcome="open"))
    proposal = FunnelStage.objects.get(slug="proposal")
    roles = list(BuyerRole.objects.all())
    offset = DealFactory._meta.model.objects.count()
    for i in range(offset, offset + n):
        stage = stages[i % len(stages)]
        used, _spare = (
            AssetFactory(title=f"Case study {i} {name}", buyer_roles=roles, stages=[stage, proposal])
            for name in ("used", "spare")
        )
        used.industries.add(f"Industry {i % 4}")
        used.products.add(f"Product {i % 3}")
        deal = DealFactory(owner=rep)
        deal_stage_change(deal=deal, stage=stage, entered_at=timezone.now() - timedelta(days=2))
        usage_record(event_id=f"q-{i}", asset=used, deal=deal, rep=rep, action="viewed")


def queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("home", None),
        ("search", None),
        ("search", {"q": "case study"}),
        ("search", {"q": "case", "buyer_role": "champion", "stage": "proposal", "sort": "used"}),
        ("deal-list", None),
        ("deal-list", {"q": "deal", "status": "open", "rep": "nobody"}),
    ],
)
def test_page_queries_do_not_grow_with_the_data(client, rep, url, params):
    client.force_login(rep)
    grow(rep, 3)
    small = queries(client, reverse(url), params)
    grow(rep, 30)
    large = queries(client, reverse(url), params)
    assert small == large, f"{url}: {small} queries with 3 deals and 6 assets, {large} with 33 and 66"


def grow_links(rep, n: int) -> None:
    """n more deals of the rep, each with a share link to a published asset and a buyer view of it."""
    grow(rep, n)
    for deal in DealFactory._meta.model.objects.filter(owner=rep, share_links__isnull=True)[:n]:
        used = deal.usage_events.first().asset
        link = share_link_create(asset=used, deal=deal, by=rep)
        share_view_record(link=link, key=f"view-{link.pk}", viewer_address="192.0.2.1")


@pytest.mark.parametrize(
    "model", ["enablement_sharelink", "enablement_deal", "enablement_usageevent", "assets_asset"]
)
def test_admin_changelists_run_the_same_queries_however_many_rows(client, admin_user, rep, model):
    client.force_login(admin_user)
    url = reverse(f"admin:{model}_changelist")
    grow_links(rep, 3)
    small = queries(client, url)
    grow_links(rep, 30)
    large = queries(client, url)
    assert small == large, f"{model}: {small} queries with 3 rows a kind, {large} with 33"


def test_deal_page_runs_the_same_queries_however_long_its_history(client, rep):
    client.force_login(rep)
    grow(rep, 2)
    deal = DealFactory._meta.model.objects.filter(owner=rep).first()
    stages = list(FunnelStage.objects.filter(outcome="open"))
    assets = [AssetFactory(title=f"Deck {i}", stages=stages) for i in range(30)]

    def lengthen(start: int, end: int) -> int:
        for i in range(start, end):
            when = timezone.now() - timedelta(days=60 - i)
            deal_stage_change(deal=deal, stage=stages[i % len(stages)], entered_at=when)
            usage_record(
                event_id=f"d-{i}", asset=assets[i], deal=deal, rep=rep, action="viewed", occurred_at=when
            )
            share_link_create(asset=assets[i], deal=deal, by=rep)
        return queries(client, reverse("deal-detail", args=[deal.pk]))

    small = lengthen(0, 3)
    large = lengthen(3, 30)
    assert small == large, f"deal page: {small} queries with 3 rows of each, {large} with 30"


def test_asset_page_runs_the_same_queries_however_many_deals_and_uses(client, rep):
    client.force_login(rep)
    grow(rep, 3)
    asset = AssetFactory(title="Pricing battlecard", stages=list(FunnelStage.objects.all()))
    deals = DealFactory._meta.model.objects.filter(owner=rep)

    def used_in_all(prefix: str) -> int:
        for deal in deals:
            usage_record(event_id=f"{prefix}-{deal.pk}", asset=asset, deal=deal, rep=rep, action="viewed")
        return queries(client, reverse("asset-detail", args=[asset.slug]))

    small = used_in_all("a")
    grow(rep, 30)
    large = used_in_all("b")
    assert small == large, f"asset page: {small} queries with 3 open deals, {large} with 33"
