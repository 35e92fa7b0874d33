"""Search and home run the same number of SQL queries however many assets and deals there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assets.models import BuyerRole, FunnelStage
from enablement.deals.history import deal_stage_change
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
    ],
)
def test_page_queries_do_not_grow_with_the_data(client, rep, url, params):
    client.force_login(rep)
    grow(rep, 3)
    small = queries(client, reverse(url), params)
    grow(rep, 30)
    large = queries(client, reverse(url), params)
    assert small == large, f"{url}: {small} queries with 3 deals and 6 assets, {large} with 33 and 66"
