"""The default demo (`make run`'s: 2,000 deals) plants effects in code (enablement.demo.planted); the
engine must call exactly the planted helpers and the planted hurter significant, and the pages a
newcomer opens must show them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from assets.models import Asset
from enablement.demo.planted import PLANTED, STRONG_REPS
from enablement.portal.catalogue import SearchParams, asset_search
from tests.enablement.analytics.intervals import verdicts_agree_with_intervals

pytestmark = pytest.mark.django_db(transaction=True)  # the demo computes its analytics on commit


def demo_report() -> dict:
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("analytics_report", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_demo_finds_exactly_what_it_plants_and_shows_it():
    report = demo_report()
    assert set(PLANTED) | {STRONG_REPS} <= set(Asset.objects.values_list("slug", flat=True))
    rows = report["assets"]
    used = [r for r in rows if r.get("exposure", "used") == "used"]
    planted = {(slug, stage): lift for slug, stages in PLANTED.items() for stage, lift in stages.items()}
    significant = {(r["asset"], r["stage"]): r["verdict"] for r in used if r["significant"]}
    assert significant == {key: "helps" if lift > 0 else "hurts" for key, lift in planted.items()}
    # Read by buyers: only planted assets may be called different (buyers read what reps used).
    assert {r["asset"] for r in rows if r["significant"]} <= set(PLANTED)
    strong = [r for r in used if r["asset"] == STRONG_REPS and r["p_value"] is not None]
    assert strong and all(r["verdict"] == "no evidence" for r in strong)
    checked = verdicts_agree_with_intervals(rows)
    assert checked["selected"] >= len(planted) and checked["tested"] > 50

    # The search's "Higher conversion" sort puts each stage's planted helper first.
    rep = User.objects.get(username="rep1")
    for (slug, stage), lift in planted.items():
        if lift > 0:
            result = asset_search(user=rep, params=SearchParams(sort="lift", stage=stage), log=False)
            assert result.page.object_list[0].slug == slug, stage
