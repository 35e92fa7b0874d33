"""Planted data where the truth is known: time spent in a stage, calendar drift and a late asset
must not pass for an association, and a real difference must be found with an honest interval."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.deals.history import deals_state_recompute, stage_change_key
from enablement.models import Deal, StageChange, UsageEvent
from tests.enablement.analytics.builders import report
from tests.factories import AssetFactory, UserFactory

pytestmark = pytest.mark.django_db
START = datetime(2023, 1, 1, tzinfo=UTC)

# decide(rng, entered_day) -> (advanced, days to resolution, {asset slug: [days after entering]})
Decide = Callable[[random.Random, float], tuple[bool, float, dict[str, list[float]]]]


def plant(
    *, deals: int, spread_days: float, decide: Decide, seed: int, assets: list[str]
) -> list[tuple[bool, set[str]]]:
    """Deals entering Proposal over `spread_days`; returns each deal's outcome and the assets it used."""
    rng = random.Random(seed)
    reps = [UserFactory(username=f"rep-{seed}-{n}") for n in range(8)]
    made = {slug: AssetFactory(slug=slug, title=slug, published_at=START) for slug in assets}
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    rows, changes, events, truth = [], [], [], []
    for n in range(deals):
        deal = Deal(
            source="native", external_id=f"S{seed}-{n}", name=f"S{n}", owner=reps[n % 8], created_at=START
        )
        entered = rng.random() * spread_days
        advanced, days, uses = decide(rng, entered)
        rows.append(deal)
        changes += [
            (deal, "proposal", entered),
            (deal, "negotiation" if advanced else "closed-lost", entered + days),
        ]
        events += [(deal, made[slug], entered + at) for slug, times in uses.items() for at in times]
        truth.append((advanced, {slug for slug, times in uses.items() if times}))
    Deal.objects.bulk_create(rows)
    StageChange.objects.bulk_create(
        StageChange(deal=d, stage=stages[s], entered_at=at, external_id=stage_change_key(stages[s], at))
        for d, s, at in ((d, s, START + timedelta(days=t)) for d, s, t in changes)
    )
    UsageEvent.objects.bulk_create(
        UsageEvent(
            event_id=f"e{seed}-{i}",
            asset=a,
            deal=d,
            rep=d.owner,
            action="viewed",
            occurred_at=START + timedelta(days=t),
            source="import",
        )
        for i, (d, a, t) in enumerate(events)
    )
    deals_state_recompute(Deal.objects.all())
    return truth


def steady_use(rng: random.Random, stay: float, per_day: float) -> list[float]:
    """Uses at a steady rate through the whole stay (a Poisson process): longer stays, more uses."""
    times, t = [], rng.expovariate(per_day)
    while t < stay:
        times.append(t)
        t += rng.expovariate(per_day)
    return times


def lingering(slow: str) -> Decide:
    """Half the deals advance; the `slow` outcome takes a median of 30 days, the other 10. Three
    assets do nothing and are used at a steady rate per day while the deal is in the stage."""

    def decide(rng: random.Random, entered: float) -> tuple[bool, float, dict[str, list[float]]]:
        advanced = rng.random() < 0.5
        median = 30 if (advanced == (slow == "advanced")) else 10
        days = rng.expovariate(0.6931 / median)
        return advanced, days, {f"steady-{k}": steady_use(rng, days, 0.08) for k in range(3)}

    return decide


@pytest.mark.parametrize("slow", ["lost", "advanced"])
def test_an_asset_used_at_a_steady_rate_is_no_clear_difference_whichever_outcome_lingers(slow):
    truth = plant(
        deals=2400, spread_days=60, decide=lingering(slow), seed=8, assets=[f"steady-{k}" for k in range(3)]
    )
    # The trap: counting a use at any time in the stay, users convert very differently (less when
    # losses linger, more when wins do), though the assets do nothing.
    users = [advanced for advanced, used in truth if "steady-0" in used]
    others = [advanced for advanced, used in truth if "steady-0" not in used]
    crude = sum(users) / len(users) - sum(others) / len(others)
    assert (crude < -0.15) if slow == "lost" else (crude > 0.15)
    analytics_compute()
    data = report(stage="proposal")
    rows = {r["asset"]: r for r in data["assets"]}
    assert data["stages"][0]["landmark_days"] >= 2
    for k in range(3):
        row = rows[f"steady-{k}"]
        assert row["verdict"] == "no evidence", row
        assert row["adjusted_lift_ci"][0] < 0 < row["adjusted_lift_ci"][1]
        assert row["used_only_after_landmark"] > 100  # the uses later in long stays are reported, not counted
    # Over seeds 7 to 9 and both cases the 18 adjusted lifts ranged −0.06 to +0.05, centred on 0.
    assert abs(sum(rows[f"steady-{k}"]["adjusted_lift"] for k in range(3)) / 3) < 0.03


def raises_by(lift: float) -> Decide:
    """A third of the deals use the asset early in the stay; their advance rate is `lift` higher.
    How long a deal stays does not depend on its outcome, so the planted lift is the lift at risk."""

    def decide(rng: random.Random, entered: float) -> tuple[bool, float, dict[str, list[float]]]:
        used = rng.random() < 0.35
        advanced = rng.random() < 0.35 + (lift if used else 0)
        return advanced, rng.uniform(3, 40), {"raiser": [0.5] if used else []}

    return decide


def test_an_asset_that_raises_the_advance_rate_is_found_with_an_interval_covering_the_lift():
    plant(deals=3000, spread_days=360, decide=raises_by(0.15), seed=3, assets=["raiser"])
    analytics_compute()
    (row,) = report(stage="proposal")["assets"]
    low, high = row["adjusted_lift_ci"]
    assert row["verdict"] == "helps" and row["significant"]
    assert low < 0.15 < high and high - low < 0.15


def drifting_with_late_asset(launch_day: float) -> Decide:
    """Conversion drifts from 25% to 75% over two years; an asset that does nothing exists from
    `launch_day` on and is used early by 40% of the deals that enter after it."""

    def decide(rng: random.Random, entered: float) -> tuple[bool, float, dict[str, list[float]]]:
        advanced = rng.random() < 0.25 + 0.5 * entered / 730
        used = entered > launch_day and rng.random() < 0.4
        return advanced, rng.uniform(3, 40), {"late": [0.5] if used else []}

    return decide


def test_an_asset_available_only_from_a_date_is_not_flagged_when_conversion_drifts():
    plant(deals=3000, spread_days=730, decide=drifting_with_late_asset(400), seed=5, assets=["late"])
    AssetFactory._meta.model.objects.filter(slug="late").update(published_at=START + timedelta(days=400))
    analytics_compute()
    (row,) = report(stage="proposal")["assets"]
    assert row["verdict"] == "no evidence", row
    # Old deals that could never have used it are not its comparison group.
    at_risk_before_launch = row["unexposed"]["deals"] + row["exposed"]["deals"]
    assert at_risk_before_launch < 0.5 * 3000
    assert row["adjusted_lift_ci"][0] < 0 < row["adjusted_lift_ci"][1]
