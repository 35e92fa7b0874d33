"""The API's analytics endpoints return the report's objects, with the landmark and the adjusted
lift's interval, and the nulls of too-little-data rows."""

from __future__ import annotations

import pytest

from enablement.analytics.engine import analytics_compute
from tests.enablement.analytics.builders import planted_world, report

pytestmark = pytest.mark.django_db


def test_the_analytics_endpoints_return_the_reports_objects(client, marketer):
    planted_world(seed=11)
    analytics_compute()
    client.force_login(marketer)
    data = report()
    stages = client.get("/api/v1/analytics/stages/").json()
    assets = client.get("/api/v1/analytics/assets/", {"stage": "proposal"}).json()
    assert stages == data["stages"] and assets == [a for a in data["assets"] if a["stage"] == "proposal"]
    proposal = next(s for s in stages if s["stage"] == "proposal")
    assert proposal["landmark_days"] == 11
    rows = {a["asset"]: a for a in assets}
    low, high = rows["lifts"]["adjusted_lift_ci"]
    assert low < rows["lifts"]["adjusted_lift"] < high
    rare = rows["rare"]
    assert rare["verdict"] == "too little data" and rare["exposed"]["deals"] > 0
    assert [rare[k] for k in ("adjusted_lift", "adjusted_lift_ci", "p_value", "q_value")] == [None] * 4


def test_the_coverage_cells_say_where_an_asset_had_higher_conversion(client, marketer):
    from assets.models import BuyerRole, FunnelStage

    world = planted_world(seed=11)
    role = BuyerRole.objects.first()
    world["assets"]["lifts"].buyer_roles.add(role)
    world["assets"]["lifts"].stages.add(FunnelStage.objects.get(slug="proposal"))
    analytics_compute()
    client.force_login(marketer)
    cells = client.get("/api/v1/analytics/gaps/").json()
    cell = next(c for c in cells if c["buyer_role"] == role.slug and c["stage"] == "proposal")
    assert cell["higher_conversion"] is True and cell["best_lift"] > 0.1 and "proven" not in cell
