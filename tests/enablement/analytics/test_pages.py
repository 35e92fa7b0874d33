"""The analytics pages as marketing and reps see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse

from enablement.analytics.engine import analytics_compute
from enablement.tasks import analytics_digest, analytics_recompute
from tests.enablement.analytics.builders import planted_world
from tests.enablement.analytics.pages import PAGES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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
    assert "Deals that used it at Proposal advanced more often — " in page and "likely not chance" in page
    assert "not proof" in page and "q-value" not in page and "interval" not in page


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
    header = b"".join(response.streaming_content).decode().splitlines()[0]
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


def test_higher_conversion_ranks_home_suggestions_and_search(client):
    from enablement.deals.history import deal_stage_change
    from enablement.models import Deal
    from enablement.portal.catalogue import SearchParams, asset_search
    from enablement.portal.selectors import suggestions_for

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


WORDS_NEVER_SHOWN = re.compile(r"proven|effect|drives", re.IGNORECASE)


def plain_summaries() -> None:
    """The factories' random English summaries may say "effect"; only our own words are checked."""
    from assets.models import Asset

    Asset.objects.update(summary="Planted asset.")


def test_every_analytics_page_explains_the_landmark_with_each_stages_days_and_never_claims_a_cause(
    client, marketer
):
    world = planted_world(seed=11)
    plain_summaries()
    analytics_compute()
    client.force_login(marketer)
    lifts = world["assets"]["lifts"].slug
    for url in [*(reverse(name) for name in PAGES), reverse("analytics-asset", args=[lifts])]:
        page = client.get(url).text
        assert "Each asset is judged at a landmark: Proposal 11 days after a deal entered the stage." in page
        assert "does not collect uses just by sitting" in page and "same time in stage order" in page
        assert not WORDS_NEVER_SHOWN.search(page), (url, WORDS_NEVER_SHOWN.search(page))


def test_the_reps_asset_page_shows_the_badge_the_landmark_and_no_cause(client, rep):
    world = planted_world(seed=11)
    plain_summaries()
    analytics_compute()
    client.force_login(rep)
    page = client.get(reverse("asset-detail", args=[world["assets"]["hurts"].slug])).text
    assert "Lower conversion</span> Deals that used it at Proposal advanced less often — " in page
    assert "Each asset is judged at a landmark: Proposal 11 days after a deal entered the stage." in page
    found = WORDS_NEVER_SHOWN.search(page)
    assert not found, page[found.start() - 200 : found.end() + 50]


def test_too_little_data_rows_show_counts_and_no_lift(client, marketer):
    world = planted_world(seed=11)
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-assets"), {"verdict": "too little data"}).text
    at = page.index(">rare</a>")  # the table's row (the chart's table names it too)
    row = page[at : page.index("</tr>", at)]
    assert "Too little data" in row and "pts" not in row and row.count(">—<") == 2
    sentence = client.get(reverse("asset-detail", args=[world["assets"]["rare"].slug])).text
    assert "too few closed deals to tell yet" in sentence and "points" not in sentence


def test_the_pages_say_how_many_deals_used_an_asset_only_after_the_landmark(client, marketer):
    from enablement.analytics.models import AssetStageMetric
    from enablement.models import Deal, UsageEvent

    world = planted_world(seed=11)
    lifts = world["assets"]["lifts"]
    late = list(
        Deal.objects.exclude(usage_events__asset=lifts).filter(external_id__in=[f"P-{n}" for n in range(40)])
    )
    UsageEvent.objects.bulk_create(
        UsageEvent(event_id=f"late-{d.pk}", asset=lifts, deal=d, rep=d.owner, action="viewed",
                   occurred_at=datetime(2025, 1, 12, tzinfo=UTC), source="import")
        for d in late
    )  # fmt: skip
    analytics_compute()
    later = AssetStageMetric.objects.get(asset=lifts, stage__slug="proposal").later_deals
    assert 0 < later <= len(late)  # those still in Proposal on day 12, past its 11-day landmark
    client.force_login(marketer)
    page = client.get(reverse("analytics-asset", args=[lifts.slug])).text
    assert f"{later} other deals used it only after the landmark." in page


def test_search_sorts_by_higher_conversion(client, rep):
    planted_world(seed=11)
    analytics_compute()
    client.force_login(rep)
    page = client.get(reverse("search"), {"sort": "lift"}).text
    assert ">Higher conversion</option>" in page and "Proven" not in page


def test_every_page_says_how_many_deals_and_events_its_run_counted_with_thousands_separated(client, marketer):
    run = analytics_compute()
    type(run).objects.filter(pk=run.pk).update(deals=24000, usage_events=1003000)
    client.force_login(marketer)
    for name in PAGES:
        page = client.get(reverse(name))
        assert "over 24,000 deals and 1,003,000 usage events" in page.text, name
