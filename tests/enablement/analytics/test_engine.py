"""The engine on data whose answers are known: a hand-computed funnel, and planted effects."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from enablement.analytics.engine import analytics_compute, current_run
from enablement.analytics.models import AnalyticsRun, AssetStageMetric, StageEntry
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal
from tests.enablement.analytics.builders import history, planted_world, report, use
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db


def test_stage_counts_match_a_hand_computed_funnel():
    x = AssetFactory(slug="x")
    a, b, c, d, e, f = (DealFactory(external_id=n) for n in "ABCDEF")
    history(a, ("proposal", 1), ("negotiation", 3))  # proposal advanced in 2 days
    history(b, ("proposal", 1), ("closed-lost", 4))  # proposal lost
    history(c, ("discovery", 0), ("proposal", 1), ("discovery", 2), ("closed-won", 9))  # back and forth
    history(d, ("proposal", 1), ("proposal", 5))  # still open; first entry counts
    history(e, ("negotiation", 1), ("closed-lost", 2), ("closed-won", 3))  # lost before it advanced
    history(f, ("proposal", 2), ("closed-won", 6))  # skipping a stage is advancing
    use(a, x, 1.5, "in-window")  # inside A's proposal window [1, 1 + landmark 2)
    use(b, x, 5, "after-resolution")  # after B was lost: no exposure
    use(d, x, 30, "after-the-landmark")  # D is still open at proposal, but used it only later
    deals_state_recompute(Deal.objects.all())
    analytics_compute()
    data = report()
    stages = {s["stage"]: s for s in data["stages"]}
    assert [s["stage"] for s in data["stages"]] == [
        "inquiry",
        "mql",
        "sql",
        "discovery",
        "proposal",
        "negotiation",
    ]
    assert stages["proposal"] == {
        "stage": "proposal",
        "entered": 5,
        "advanced": 3,
        "lost": 1,
        "open": 1,
        "conversion_rate": 0.75,
        "median_days": 4.0,
        "landmark_days": 2,
    }  # days 2, 8 and 4; resolved in 2, 3, 4 and 8 days: the 25th percentile by nearest rank is 2
    assert stages["discovery"] == {
        "stage": "discovery",
        "entered": 1,
        "advanced": 1,
        "lost": 0,
        "open": 0,
        "conversion_rate": 1.0,
        "median_days": 1.0,
        "landmark_days": 1,
    }
    assert stages["negotiation"] == {
        "stage": "negotiation",
        "entered": 2,
        "advanced": 0,
        "lost": 1,
        "open": 1,
        "conversion_rate": 0.0,
        "median_days": None,
        "landmark_days": 1,  # lost in 1 day
    }
    assert stages["inquiry"]["entered"] == 0 and stages["inquiry"]["conversion_rate"] is None
    assert stages["inquiry"]["landmark_days"] is None  # nothing resolved there and no setting
    (row,) = data["assets"]
    assert (row["asset"], row["stage"]) == ("x", "proposal")
    # Every proposal entry was still there at its landmark (A advanced exactly at it); D used x only
    # after its landmark, so it is among the deals without x (open), counted as a later use.
    assert row["exposed"] == {
        "deals": 1,
        "advanced": 1,
        "lost": 0,
        "open": 0,
        "rate": 1.0,
        "median_days": 2.0,
    }
    assert row["unexposed"] == {
        "deals": 3,
        "advanced": 2,
        "lost": 1,
        "open": 1,
        "rate": 0.6667,
        "median_days": 6.0,
    }
    assert row["lift"] == 0.3333 and row["verdict"] == "too little data" and row["q_value"] is None
    assert row["used_only_after_landmark"] == 1
    assert row["adjusted_lift"] is None and row["adjusted_lift_ci"] is None and row["p_value"] is None


def test_the_engine_finds_planted_effects_and_no_false_alarms():
    world = planted_world()
    analytics_compute()
    rows = {r["asset"]: r for r in report(stage="proposal")["assets"]}
    lifts, hurts, strong = rows["lifts"], rows["hurts"], rows["strong-reps"]
    assert lifts["verdict"] == "helps" and lifts["significant"]
    assert 0.12 < lifts["adjusted_lift"] < 0.28 and lifts["lift_ci"][0] > 0
    assert hurts["verdict"] == "hurts" and hurts["adjusted_lift"] < -0.12
    # Crudely it looks great, because strong reps use it; compared within each rep it is nothing.
    assert strong["lift"] > 0.1 and strong["lift_ci"][0] > 0
    assert strong["verdict"] == "no evidence" and abs(strong["adjusted_lift"]) < 0.05
    assert rows["rare"]["verdict"] == "too little data" and rows["rare"]["q_value"] is None
    assert rows["rare"]["adjusted_lift"] is None and rows["rare"]["adjusted_lift_ci"] is None
    # The planted +0.2 and −0.2 lie within the adjusted lifts' intervals.
    assert lifts["adjusted_lift_ci"][0] < 0.2 < lifts["adjusted_lift_ci"][1]
    assert hurts["adjusted_lift_ci"][0] < -0.2 < hurts["adjusted_lift_ci"][1]
    null_verdicts = {rows[a.slug]["verdict"] for a in world["nulls"]}
    assert null_verdicts == {"no evidence"}
    assert all(rows[a.slug]["q_value"] > 0.05 for a in world["nulls"])


def test_a_run_replaces_the_previous_one_and_gives_the_same_numbers():
    planted_world(seed=3)
    first = analytics_compute()
    before = report()
    second = analytics_compute()
    assert list(AnalyticsRun.objects.values_list("pk", flat=True)) == [second.pk]
    assert not StageEntry.objects.filter(run=first).exists()
    assert current_run() == second
    after = report()
    assert {**after, "as_of": None} == {**before, "as_of": None}


def test_a_second_run_while_one_is_computing_is_skipped():
    from django.core.cache import cache

    from enablement.analytics.engine import LOCK_KEY
    from tests.conftest import using_postgres

    if using_postgres():
        pytest.skip("on PostgreSQL a lock of the database keeps runs apart: test_run_lock.py")

    cache.add(LOCK_KEY, "1", 60)
    try:
        assert analytics_compute() is None
        assert not AnalyticsRun.objects.exists()
    finally:
        cache.delete(LOCK_KEY)


def test_report_command_refuses_an_unknown_stage_and_a_missing_run():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No analytics computed yet"):
        report()
    with pytest.raises(CommandError, match="No open funnel stage with slug 'closed-won'"):
        report(stage="closed-won")


def test_report_csv_has_a_line_per_asset_and_stage():
    planted_world(seed=5)
    analytics_compute()
    out = StringIO()
    call_command("analytics_report", "--format", "csv", "--stage", "proposal", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("asset,stage,exposed_deals") and len(lines) == 1 + 24
    assert (
        AssetStageMetric.objects.count() == 24
        and User.objects.filter(username__startswith="planted").count() == 8
    )
