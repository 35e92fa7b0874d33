"""The default demo (`make run`'s: 2,000 deals) plants effects in code (enablement.demo.planted); the
engine must call exactly the planted helpers and the planted hurter significant, and the pages a
newcomer opens must show them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from assets.models import Asset
from enablement.analytics.digest import digest_context
from enablement.deals.models import Deal
from enablement.demo.planted import PLANTED, STRONG_REPS
from enablement.portal.catalogue import SearchParams, asset_search
from enablement.portal.selectors import suggestions_for
from tests.enablement.analytics.intervals import verdicts_agree_with_intervals
from tests.enablement.analytics.pages import pages_read

pytestmark = pytest.mark.django_db(transaction=True)  # the demo computes its analytics on commit


def demo_report() -> dict:
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("analytics_report", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_demo_finds_exactly_what_it_plants_and_shows_it(client):
    report = demo_report()
    assert set(PLANTED) | {STRONG_REPS} <= set(Asset.objects.values_list("slug", flat=True))
    rows = report["assets"]
    used = [r for r in rows if r["exposure"] == "used"]
    planted = {(slug, stage): lift for slug, stages in PLANTED.items() for stage, lift in stages.items()}
    significant = {(r["asset"], r["stage"]): r["verdict"] for r in used if r["significant"]}
    assert significant == {key: "helps" if lift > 0 else "hurts" for key, lift in planted.items()}
    # Read by buyers: rows of their own, and only planted assets may be called different (buyers
    # read what reps used).
    read = [r for r in rows if r["exposure"] == "read"]
    assert read and any(r["p_value"] is not None for r in read)
    assert {r["asset"] for r in rows if r["significant"]} <= set(PLANTED)
    strong = [r for r in used if r["asset"] == STRONG_REPS and r["p_value"] is not None]
    assert strong and all(r["verdict"] == "no evidence" for r in strong)
    checked = verdicts_agree_with_intervals(rows)
    assert checked["selected"] >= len(planted) and checked["tested"] > 50

    # The search's "Higher conversion" sort puts each stage's planted helper first.
    rep = User.objects.get(username="rep1")
    helpers = {slug for (slug, _), lift in planted.items() if lift > 0}
    for (slug, stage), lift in planted.items():
        if lift > 0:
            result = asset_search(user=rep, params=SearchParams(sort="lift", stage=stage), log=False)
            assert result.page.object_list[0].slug == slug, stage
    shown_at_home(planted)
    # The digest: the helpers on top and to promote, the hurter at the bottom and to refresh.
    digest = digest_context()
    assert {m.asset.slug for m, _ in digest["top"]} == helpers
    hurter = next(slug for (slug, _), lift in planted.items() if lift < 0)
    assert digest["bottom"][0][0].asset.slug == hurter
    assert {a.url.split("/")[-2] for a in digest["todo"].promote} == helpers
    assert digest["todo"].retire[0].url.split("/")[-2] == hurter
    no_page_contradicts_its_verdicts(client, planted)


def no_page_contradicts_its_verdicts(client, planted: dict) -> None:
    """The demo's pages, read as text: no verdict beside an interval that says otherwise."""
    client.force_login(User.objects.get(username="admin"))
    urls = [reverse("analytics-funnel"), reverse("analytics-digest")]
    for stage in ("discovery", "proposal"):
        for exposure in ("used", "read"):
            urls.append(f"{reverse('analytics-assets')}?stage={stage}&exposure={exposure}")
    for slug, _ in planted:
        urls += [reverse("analytics-asset", args=[slug]), reverse("asset-detail", args=[slug])]
    problems, checked = pages_read(client, urls)
    assert not problems, "\n".join(problems[:10])
    assert checked > 20


def shown_at_home(planted: dict) -> None:
    """A rep's home suggests, for an open deal at the stage that has not used the helper yet and has
    a buyer it was made for in the room, the planted helper first."""
    for (slug, stage), lift in planted.items():
        if lift <= 0:
            continue
        asset = Asset.objects.get(slug=slug)
        deals = list(
            Deal.objects.filter(closed_at__isnull=True, current_stage__slug=stage)
            .exclude(usage_events__asset=asset)
            .filter(roles__role__in=asset.buyer_roles.all())
            .distinct()
        )
        assert deals, slug
        suggested = suggestions_for(deals)
        assert all(suggested[d.pk][0] == asset for d in deals), slug
