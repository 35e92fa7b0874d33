"""The analytics method (docs/analytics-method.md) on a small funnel computed by hand: order of
history, landmark, the cohort at
risk, exposure before the landmark, strata, and the Mantel–Haenszel difference with Sato's interval."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal
from tests.enablement.analytics.builders import history, report, use
from tests.factories import AssetFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_rows_at_the_same_time_are_taken_in_stage_order():
    a, b, c = (DealFactory(external_id=n) for n in ["same-time-advance", "same-time-lost", "tie-then-lost"])
    history(a, ("proposal", 0), ("negotiation", 0), ("closed-lost", 5))  # proposal → negotiation in 0 days
    history(b, ("proposal", 0), ("closed-lost", 0))  # lost at proposal the moment it entered
    history(c, ("proposal", 0), ("closed-lost", 3), ("negotiation", 3))  # negotiation (60) before lost (80)
    deals_state_recompute(Deal.objects.all())
    analytics_compute()
    stages = {s["stage"]: s for s in report()["stages"]}
    assert (stages["proposal"]["advanced"], stages["proposal"]["lost"]) == (2, 1)
    assert stages["proposal"]["median_days"] == 1.5  # 0 and 3 days
    assert (stages["negotiation"]["lost"], stages["negotiation"]["entered"]) == (2, 2)


@pytest.fixture
def hand_funnel(settings):
    """Two reps in one quarter; Proposal's landmark set to 5 days in the admin. Per rep (exposed =
    used the asset within 5 days of entering; every deal resolves on day 10 unless said otherwise):

        rep 1: with it 3 advanced 1 lost; without it 1 advanced 2 lost
        rep 2: with it 2 advanced 2 lost + 1 open; without it 2 advanced 4 lost (one used it on day 7)
        and one deal of rep 2 that used it and was lost on day 2, before the landmark: not at risk.
    """
    settings.ANALYTICS_MIN_DEALS = 1
    FunnelStage.objects.filter(slug="proposal").update(landmark_days=5)
    asset = AssetFactory(slug="battle-plan", published_at=None, status="draft")
    reps = [UserFactory(username="hand-1"), UserFactory(username="hand-2")]
    plan = [
        (0, True, ["negotiation"] * 3 + ["closed-lost"]),
        (0, False, ["negotiation"] + ["closed-lost"] * 2),
        (1, True, ["negotiation"] * 2 + ["closed-lost"] * 2 + [None]),
        (1, False, ["negotiation"] * 2 + ["closed-lost"] * 4),
    ]
    n = 0
    for rep, used, ends in plan:
        for end in ends:
            n += 1
            deal = DealFactory(external_id=f"H{n}", owner=reps[rep], amount=1000)
            history(deal, ("proposal", 0), *([(end, 10)] if end else []))
            if used:
                use(deal, asset, 1, f"h-{n}")
    later = Deal.objects.get(external_id="H18")  # rep 2, without it, lost
    use(later, asset, 7, "after-the-landmark")
    early = DealFactory(external_id="early", owner=reps[1], amount=1000)
    history(early, ("proposal", 0), ("closed-lost", 2))
    use(early, asset, 1, "early")
    deals_state_recompute(Deal.objects.all())
    analytics_compute()
    return report()


def test_the_hand_computed_funnel_matches_counts_landmark_and_rates(hand_funnel):
    stage = next(s for s in hand_funnel["stages"] if s["stage"] == "proposal")
    assert stage == {
        "stage": "proposal",
        "entered": 19,  # the scorecard counts every entry, the early one too
        "advanced": 8,
        "lost": 10,
        "open": 1,
        "conversion_rate": 0.4444,
        "median_days": 10.0,
        "landmark_days": 5,
    }
    (row,) = hand_funnel["assets"]
    assert row["exposed"] == {
        "deals": 8,
        "advanced": 5,
        "lost": 3,
        "open": 1,
        "rate": 0.625,
        "median_days": 10.0,
    }
    assert row["unexposed"] == {
        "deals": 9,
        "advanced": 3,
        "lost": 6,
        "open": 0,
        "rate": 0.3333,
        "median_days": 10.0,
    }
    assert row["lift"] == round(5 / 8 - 3 / 9, 4) == 0.2917
    assert row["used_only_after_landmark"] == 1
    assert row["influenced_amount"] == 9000.0  # the nine deals at risk that used it within 5 days


def test_the_hand_computed_funnel_matches_the_mantel_haenszel_difference_and_satos_interval(hand_funnel):
    (row,) = hand_funnel["assets"]
    # Stratum by stratum (a, n1: advanced and deals with it; c, n0: without it; N = n1 + n0):
    strata = [(3, 4, 1, 3), (2, 4, 2, 6)]
    numerator = sum(Fraction(a * n0 - c * n1, n1 + n0) for a, n1, c, n0 in strata)  # 5/7 + 4/10
    weight = sum(Fraction(n1 * n0, n1 + n0) for a, n1, c, n0 in strata)  # 12/7 + 24/10
    rd = numerator / weight
    assert rd == Fraction(39, 144)
    p = sum(
        Fraction(2 * (n1 * n1 * c - n0 * n0 * a) + n1 * n0 * (n0 - n1), 2 * (n1 + n0) ** 2)
        for a, n1, c, n0 in strata
    )
    q = sum(Fraction(a * (n0 - c) + c * (n1 - a), 2 * (n1 + n0)) for a, n1, c, n0 in strata)
    assert (p, q) == (Fraction(-17, 49) - Fraction(16, 100), Fraction(11, 10))
    half = 1.959963984540054 * math.sqrt(rd * p + q) / weight
    assert row["adjusted_lift"] == 0.2708
    assert (
        row["adjusted_lift_ci"]
        == [round(float(rd) - half, 4), round(float(rd) + half, 4)]
        == [-0.1966, 0.7382]
    )
    assert row["q_value"] == row["p_value"]  # one row tested: Benjamini–Hochberg leaves it alone
    assert row["verdict"] == "no evidence"
