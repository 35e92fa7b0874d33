"""The analytics pages show influenced and won amounts compact in the deals' currency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.deals.history import deal_stage_change
from enablement.usage.services import usage_record
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 5, 5, tzinfo=UTC)


@pytest.fixture
def proposal_deals():
    """Two deals at Proposal that used the ROI calculator at once: one won ($30,005,500), one lost
    ($16,647,500). Influenced $46,653,000, won $30,005,500."""
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    asset = AssetFactory(title="ROI calculator", published_at=T0 - timedelta(days=30))
    for amount, end, days in [(30005500, "closed-won", 10), (16647500, "closed-lost", 12)]:
        deal = DealFactory(amount=amount, currency="USD")
        deal_stage_change(deal=deal, stage=stages["proposal"], entered_at=T0)
        usage_record(
            event_id=f"roi-{amount}",
            asset=asset,
            deal=deal,
            rep=deal.owner,
            action="viewed",
            occurred_at=T0 + timedelta(hours=12),
        )
        deal_stage_change(deal=deal, stage=stages[end], entered_at=T0 + timedelta(days=days))


def test_the_effectiveness_page_shows_money_compact_with_the_exact_amount_in_a_title(
    client, marketer, proposal_deals
):
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-assets")).text
    assert '<span class="money" title="USD 46,653,000.00">$46.7M</span>' in page
    assert ">$30.0M</span>" in page and "46653000" not in page and "mixed currencies" not in page
    exported = client.get(reverse("analytics-assets"), {"format": "csv"}).content.decode()
    assert "46653000" in exported  # exact in the CSV


def test_sums_over_deals_in_mixed_currencies_are_labelled_so(client, marketer, proposal_deals):
    DealFactory(amount=5000, currency="EUR")
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-assets")).text
    assert ">USD 46.7M</span>" in page and "(mixed currencies)" in page
    assert "mixed currencies (USD, EUR) without conversion" in page
