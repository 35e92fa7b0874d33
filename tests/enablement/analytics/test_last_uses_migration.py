"""Migration 0023 over a database holding a run made before it: the run gets its assets' last uses
from the usage table, so *Retire or refresh* lists the same assets, and the funnel, whose stored
breakdowns the run lacks, computes them over the entries as before."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import AssetLastUse, StageMetric
from tests.enablement.analytics.builders import history, use
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("enablement", "0022_deal_api_order")]


def test_a_run_made_before_0023_gets_its_last_uses_and_its_funnel_computed(client, marketer):
    deal = DealFactory()
    history(deal, ("discovery", 0), ("proposal", 3))
    used = AssetFactory(title="Used deck")
    AssetFactory(title="Idle sheet")
    use(deal, used, 2, "u-1")
    run = analytics_compute()
    client.force_login(marketer)
    funnel = client.get(reverse("analytics-funnel")).context["data"]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        assert list(AssetLastUse.objects.filter(run=run).values_list("asset_id", flat=True)) == [used.pk]
        assert set(StageMetric.objects.filter(run=run).values_list("by_month", flat=True)) == {None}
        page = client.get(reverse("analytics-retire")).text
        listed = re.findall(r'<li><a href="/admin/assets/asset/\d+/change/">([^<]*)</a>', page)
        assert listed[:2] == ["Idle sheet", "Used deck"]
        assert client.get(reverse("analytics-funnel")).context["data"] == funnel
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
