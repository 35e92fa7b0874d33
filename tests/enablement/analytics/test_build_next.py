"""Build next and the coverage map weigh each buyer role × stage cell by the buying committee: the
deals at the stage where the role was in the room (and in profile, once a profile is approved)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assets.models import BuyerRole
from enablement.analytics.engine import analytics_compute
from enablement.buyers.services import profile_approve, profile_propose
from tests.enablement.analytics.committee_deals import inquiry_deal
from tests.factories import BuyerRoleFactory, FunnelStageFactory

pytestmark = pytest.mark.django_db


def ranked(client) -> list[dict]:
    return client.get("/api/v1/analytics/build-next/").json()


def test_a_role_present_on_most_deals_ranks_above_one_present_on_few_with_its_own_reason(client, marketer):
    # Ten Inquiry deals, seven lost: the champion sat in eight (six lost, two advanced), procurement
    # in two (one lost, one advanced). Scores: 8 × 6/8 = 6 and 2 × 1/2 = 1; other roles never appear.
    for _ in range(6):
        inquiry_deal("lost", ["champion"])
    inquiry_deal("lost", ["procurement"])
    inquiry_deal("advanced", ["champion"])
    inquiry_deal("advanced", ["champion", "champion"])  # two champions on one deal: one deal
    inquiry_deal("advanced", ["procurement"])
    analytics_compute()
    client.force_login(marketer)
    rows = [r for r in ranked(client) if r["stage"] == "inquiry"]
    assert [(r["buyer_role"], r["score"]) for r in rows] == [("champion", 6.0), ("procurement", 1.0)]
    champion, procurement = rows
    assert champion["reason"].startswith(
        "present in 8 of 10 Inquiry deals, 75% of them lost (of 8 resolved); "
        "no published asset for the champion at this stage"
    )
    assert procurement["reason"].startswith("present in 2 of 10 Inquiry deals, 50% of them lost")
    page = client.get(reverse("analytics-build-next")).text
    assert page.index("Champion at Inquiry") < page.index("Procurement at Inquiry")
    assert "Economic buyer at Inquiry" not in page  # never in the room: nothing to weigh
    coverage = client.get(reverse("analytics-coverage")).text
    assert "in 8 of 10 deals, 75% of them lost" in coverage and "in 0 of 10 deals" in coverage
    cells = client.get("/api/v1/analytics/gaps/").json()
    cell = next(c for c in cells if (c["buyer_role"], c["stage"]) == ("champion", "inquiry"))
    assert (cell["present"], cell["present_of"], cell["present_lost"], cell["in_profile_only"]) == (
        8,
        10,
        6,
        False,
    )


def test_once_a_profile_is_approved_only_deals_in_profile_are_counted(
    client, marketer, admin_user, django_capture_on_commit_callbacks
):
    # Six Healthcare deals are in profile (threshold 10: only the industry's 3 points can be missing);
    # four Software deals are not. The champion sits in three in-profile deals (two lost, one advanced)
    # and in three out-of-profile deals (all lost), which must not count:
    # present 3 of 6, lost 2 of 3 resolved, score 3 × 2/3 = 2.
    for outcome, roles in [("lost", ["champion"])] * 2 + [("lost", [])] + [("advanced", ["champion"])]:
        inquiry_deal(outcome, roles, industry="Healthcare")
    inquiry_deal("advanced", [], industry="Healthcare")
    inquiry_deal("advanced", ["procurement"], industry="Healthcare")
    for _ in range(3):
        inquiry_deal("lost", ["champion"])
    inquiry_deal("advanced", ["procurement"])
    profile = profile_propose(by=marketer, summary="Hospitals", industries=["Healthcare"], fit_threshold=10)
    with django_capture_on_commit_callbacks(execute=True):  # deals are scored after the commit
        profile_approve(profile=profile, by=admin_user)
    analytics_compute()
    client.force_login(marketer)
    rows = {r["buyer_role"]: r for r in ranked(client) if r["stage"] == "inquiry"}
    champion = rows["champion"]
    assert (champion["present"], champion["present_of"], champion["present_lost"]) == (3, 6, 2)
    assert champion["score"] == 2.0 and champion["in_profile_only"] is True
    assert champion["reason"].startswith("present in 3 of 6 Inquiry deals in profile, 67% of them lost")
    assert rows["procurement"]["present"] == 1 and rows["procurement"]["present_lost"] == 0
    page = client.get(reverse("analytics-coverage")).text
    assert "Presence counts only deals in the approved buyer profile (version 1)" in page


def test_without_any_committee_data_every_role_shares_the_stage_and_the_page_says_so(client, marketer):
    for outcome in ["lost", "lost", "lost", "advanced"]:
        inquiry_deal(outcome)
    analytics_compute()
    client.force_login(marketer)
    rows = [r for r in ranked(client) if r["stage"] == "inquiry"]
    assert len(rows) == BuyerRole.objects.count() and len({r["score"] for r in rows}) == 1
    assert rows[0]["score"] == 3.0 and rows[0]["present"] is None  # 4 entered × 75% lost
    assert rows[0]["reason"].startswith("4 deals entered Inquiry and 75% of those that closed were lost")
    assert "no buying-committee data exists yet" in rows[0]["reason"]
    for name in ["analytics-build-next", "analytics-coverage"]:
        assert "No buying-committee data exists yet" in client.get(reverse(name)).text


def test_the_pages_run_the_same_queries_however_many_cells_and_committees(client, marketer):
    client.force_login(marketer)
    urls = [
        reverse("analytics-coverage"),
        reverse("analytics-build-next"),
        "/api/v1/analytics/gaps/",
        "/api/v1/analytics/build-next/",
    ]

    def counts() -> list[int]:
        analytics_compute()
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    inquiry_deal("lost", ["champion"])
    inquiry_deal("advanced", ["procurement"])
    small = counts()
    more_roles = [BuyerRoleFactory().slug for _ in range(4)]
    extra = FunnelStageFactory(order=15)  # one more open stage: a column of cells more
    for n in range(12):
        inquiry_deal(["lost", "advanced", "open"][n % 3], [more_roles[n % 4], "champion"])
        inquiry_deal("lost", [more_roles[n % 4]], stage=extra.slug)
    assert counts() == small
