"""The analytics pages as marketing and reps see them."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from enablement.analytics.engine import analytics_compute
from enablement.tasks import analytics_digest, analytics_recompute
from tests.enablement.analytics.test_engine import planted_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PAGES = [
    "analytics-funnel",
    "analytics-assets",
    "analytics-coverage",
    "analytics-build-next",
    "analytics-retire",
    "analytics-stalled",
]


@pytest.mark.parametrize("name", PAGES)
def test_reps_may_not_see_analytics(client, rep, name):
    client.force_login(rep)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_pages_say_so_when_nothing_is_computed_yet(client, marketer, name):
    client.force_login(marketer)
    response = client.get(reverse(name))
    assert response.status_code == 200 and "No analytics yet" in response.text


def test_asset_effectiveness_shows_the_verdicts_and_exports_csv(client, marketer):
    planted_world(seed=11)
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-assets"), {"stage": "proposal", "sort": "adjusted"}).text
    assert page.index(">lifts<") < page.index(">hurts<")  # sorted by same-rep lift
    assert "How these figures are computed" in page and "Mantel–Haenszel" in page
    exported = client.get(
        reverse("analytics-assets"), {"stage": "proposal", "verdict": "helps", "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [r["asset"] for r in rows] == ["lifts"] and rows[0]["verdict"] == "helps"


def test_the_asset_page_tells_reps_the_verdict_in_plain_words(client, rep):
    world = planted_world(seed=11)
    analytics_compute()
    client.force_login(rep)
    page = client.get(reverse("asset-detail", args=[world["assets"]["lifts"].slug])).text
    assert "At Proposal: deals that used it converted" in page and "points more often (95% interval" in page
    assert "not proof" in page


def test_funnel_filters_and_a_bad_date_is_named_not_a_crash(client, marketer):
    planted_world(seed=4)
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-funnel"), {"start": "yesterday", "industry": "Nowhere"}).text
    assert "From “yesterday” is not a date" in page
    assert '"entered": [0, 0, 0, 0, 0, 0]' in page.replace("\n", "")  # nothing in industry "Nowhere"


def test_build_next_ranks_cells_with_a_reason_each(client, marketer):
    planted_world(seed=4)
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-build-next")).text
    assert "deals entered Proposal" in page and "were lost" in page


def test_stalled_deals_export_for_nurture(client, marketer):
    planted_world(seed=4)
    analytics_compute()
    client.force_login(marketer)
    response = client.get(reverse("analytics-stalled"), {"format": "csv"})
    assert response["Content-Disposition"].endswith('stalled-deals-for-nurture.csv"')
    header = response.content.decode().splitlines()[0]
    assert header.startswith("deal_id,deal,account,owner_email,stage,days_in_stage")


def test_pages_run_a_fixed_number_of_queries_whatever_the_data(client, marketer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(marketer)
    planted_world(seed=1)
    analytics_compute()

    def counts() -> list[int]:
        result = []
        for name in ["analytics-funnel", "analytics-assets", "analytics-coverage", "analytics-build-next"]:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name)).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    small = counts()
    planted_world(seed=2, prefix="more-")  # as much again: more deals, usage and asset rows
    analytics_compute()
    assert counts() == small


def test_recompute_task_and_weekly_digest(marketer):
    planted_world(seed=6)
    assert analytics_recompute() is not None
    UserFactory(role="Reps", email="rep@example.com")
    assert analytics_digest() == 1
    (message,) = mail.outbox
    assert message.bcc == [marketer.email] and "rep@example.com" not in message.bcc
    assert "FUNNEL" in message.body and "WHERE TO BUILD NEXT" in message.body and "not proof" in message.body


def test_proven_lift_ranks_home_suggestions_and_search(client):
    from assets.search import SearchParams, asset_search
    from enablement.models import Deal
    from enablement.selectors import suggestions_for
    from enablement.services import deal_stage_change

    world = planted_world(seed=11)
    analytics_compute()
    rep = UserFactory(role="Reps")
    deal = Deal.objects.create(source="native", external_id="fresh", name="Fresh deal", owner=rep)
    from django.utils import timezone

    from assets.models import FunnelStage

    proposal = FunnelStage.objects.get(slug="proposal")
    for asset in [*world["assets"].values(), *world["nulls"]]:
        asset.stages.add(proposal)
    deal_stage_change(deal=deal, stage=proposal, entered_at=timezone.now())
    assert suggestions_for([deal])[deal.pk][0] == world["assets"]["lifts"]
    result = asset_search(user=rep, params=SearchParams(sort="lift", stage="proposal"), log=False)
    assert result.page.object_list[0] == world["assets"]["lifts"]
