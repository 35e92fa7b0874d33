"""The months and quarters a run stores equal scorecard.monthly_counts and over_time.quarter_figures over
the same entries, for entries either side of month and quarter boundaries, in UTC and in a current time
zone far from it."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from enablement.analytics import over_time, scorecard
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import StageEntry, StageMetric
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal
from tests.enablement.analytics.builders import history
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

EDGES = [30.99, 31.01, 89.97, 89.99, 90.01, 90.5, 180.97, 181.02, 272.99, 273.01, 364.99, 365.01]


def build():
    for i, at in enumerate(EDGES):
        for j, then in enumerate([1, 2, 3, 7, None]):
            steps = [("discovery", at)]
            if then is None:
                steps.append(("closed-lost", at + 4 + i % 3))
            else:
                steps += [("proposal", at + then + i / 10), ("negotiation", at + then + i / 10 + 1.5)]
            history(DealFactory(external_id=f"E-{i}-{j}"), *steps)
    deals_state_recompute(Deal.objects.all())


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_stored_months_and_quarters_equal_the_figures_computed_over_the_entries(zone):
    build()
    with override_settings(TIME_ZONE=zone), timezone.override(zone):
        run = analytics_compute()
        entries = StageEntry.objects.filter(run=run)
        stored = {m.stage_id: m for m in StageMetric.objects.filter(run=run)}
        months = {s: m.by_month for s, m in stored.items() if m.by_month}
        quarters = {s: m.by_quarter for s, m in stored.items() if m.by_quarter}
        assert months == scorecard.monthly_counts(entries)
        assert quarters == over_time.quarter_figures(entries)
        assert (months, quarters) == over_time.month_and_quarter_figures(entries)
