"""The funnel page's median days come from the deals that advanced, odd and even counts alike."""

from __future__ import annotations

import pytest

from enablement.analytics.engine import analytics_compute
from enablement.analytics.scorecard import FunnelFilters, funnel
from tests.enablement.analytics.builders import history
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def test_funnel_median_days_are_the_middle_of_the_advanced_deals():
    # Proposal advanced after 1, 2 and 6 days (odd: median 2); negotiation after 1, 3, 4 and 10 days
    # (even: median 3.5). A deal lost in proposal after 20 days does not count toward the median.
    for n, (days_in_proposal, days_in_negotiation) in enumerate([(1, 1), (2, 3), (6, 4)]):
        history(
            DealFactory(external_id=f"P{n}"),
            ("proposal", 0),
            ("negotiation", days_in_proposal),
            ("closed-won", days_in_proposal + days_in_negotiation),
        )
    history(DealFactory(external_id="N3"), ("negotiation", 0), ("closed-won", 10))
    history(DealFactory(external_id="L"), ("proposal", 0), ("closed-lost", 20))
    run = analytics_compute()

    rows = {row["stage"].slug: row for row in funnel(run, FunnelFilters())["stages"]}

    assert rows["proposal"]["median_days"] == pytest.approx(2.0)
    assert rows["negotiation"]["median_days"] == pytest.approx(3.5)
    assert rows["discovery"]["median_days"] is None
