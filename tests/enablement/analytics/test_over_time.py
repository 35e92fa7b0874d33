"""Change over time: the funnel by quarter (conversion and median days, by hand), an asset's uses and
buyer reads per month, and the adjusted lift of each quarter's deals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enablement.analytics import over_time
from enablement.analytics.engine import analytics_compute, current_run
from enablement.analytics.models import AssetStageMetric
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal
from tests.enablement.analytics.builders import history, planted_world, use
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db


def test_the_funnel_by_quarter_counts_conversion_and_median_days_by_hand(client, marketer):
    # Proposal entered in 2025 Q1 (days 1, 2, 3) and Q2 (days 100, 101): advanced after 2 and 4 days
    # and lost in Q1; advanced after 6 days and still open in Q2.
    for name, steps in {
        "a": [("proposal", 1), ("negotiation", 3)],
        "b": [("proposal", 2), ("negotiation", 6)],
        "c": [("proposal", 3), ("closed-lost", 5)],
        "d": [("proposal", 100), ("closed-won", 106)],
        "e": [("proposal", 101)],
    }.items():
        history(DealFactory(external_id=name), *steps)
    deals_state_recompute(Deal.objects.all())
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-funnel")).text
    row = page[page.index('<th scope="row">Proposal</th><td class="num">67%') :]
    row = row[: row.index("</tr>")]
    assert "67% · 3.0 d" in row and "100% · 6.0 d" in row  # Q1: 2 of 3, median of 2 and 4; Q2: 1 of 1
    assert ">2025 Q1</th>" in page and ">2025 Q2</th>" in page and "chart-quarter-days" in page


def test_an_assets_uses_and_reads_per_month():
    x = AssetFactory(slug="x")
    deal = DealFactory()
    use(deal, x, 3, "jan-1")  # 4 Jan 2025
    use(deal, x, 20, "jan-2")
    use(deal, x, 40, "feb-1")  # 10 Feb 2025
    activity = over_time.asset_activity(x)
    assert activity["rows"] == [("Jan 2025", 2, 0), ("Feb 2025", 1, 0)]


def test_one_quarter_of_deals_has_the_rows_own_adjusted_lift(client, marketer):
    world = planted_world(seed=11)  # every planted deal entered Proposal on 1 Jan 2025
    analytics_compute()
    lifts = world["assets"]["lifts"]
    row = AssetStageMetric.objects.get(asset=lifts, stage__slug="proposal", exposure="used")
    (quarter,) = over_time.quarterly_lifts(current_run(), lifts)
    assert quarter.quarter == "2025 Q1" and quarter.lift == pytest.approx(row.adjusted_lift)
    assert quarter.low == pytest.approx(row.adjusted_low) and quarter.high == pytest.approx(row.adjusted_high)
    client.force_login(marketer)
    page = client.get(reverse("analytics-asset", args=[lifts.slug])).text
    assert "Adjusted lift of each quarter" in page and ">2025 Q1</td>" in page
    assert "Uses by reps and buyer reads, per month" in page
