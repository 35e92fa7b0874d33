"""Stalled deals, retire or refresh and the coverage map at any size: 50 rows a page, the page's
filters kept in its links, as many queries for 5 rows as for 60, and the nurture CSV streamed with
the rows it always had."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assets.models import BuyerRole
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import AssetLastUse
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal, UsageEvent
from enablement.usage.services import usage_delete
from tests.enablement.analytics.builders import T0, history, use
from tests.enablement.analytics.old_lists import old_stalled_csv, old_unused
from tests.factories import AccountFactory, AssetFactory, BuyerRoleFactory, DealFactory

pytestmark = pytest.mark.django_db


def stalled_world(stalled: int, prefix: str = "") -> None:
    """Twelve deals that went from Discovery to Proposal in 1 to 12 days and were won (Discovery's
    75th percentile: 9 days), and `stalled` open deals in Discovery since distinct days of 2025."""
    for n in range(12):
        history(
            DealFactory(external_id=f"{prefix}W-{n}"),
            ("discovery", n),
            ("proposal", 2 * n + 1),
            ("closed-won", 40),
        )
    for n in range(stalled):
        account = AccountFactory(name="=cmd|' /C calc'!A0" if n == 3 else f"Account {n}")
        deal = DealFactory(external_id=f"{prefix}S-{n}", name=f"{prefix}Stalled {n:02d}", account=account)
        history(deal, ("discovery", 100 + n + 0.25))
    deals_state_recompute(Deal.objects.all())


def days_ago(days: float) -> float:
    """The day number (from builders.T0) of `days` before now."""
    return (timezone.now() - T0).total_seconds() / 86400 - days


def rows_shown(html: str) -> list[str]:
    return re.findall(r'<tr><td><a href="/deals/\d+/">([^<]*)</a>', html)


def test_stalled_deals_come_fifty_a_page_and_page_two_starts_at_the_fifty_first(client, marketer):
    stalled_world(60)
    analytics_compute()
    client.force_login(marketer)
    first = client.get(reverse("analytics-stalled")).text
    second = client.get(reverse("analytics-stalled"), {"page": 2}).text
    assert rows_shown(first) == [f"Stalled {n:02d}" for n in range(50)]  # the longest stalled first
    assert rows_shown(second) == [f"Stalled {n:02d}" for n in range(50, 60)]
    assert "1–50 of 60" in first and "51–60 of 60" in second
    past_the_end = client.get(reverse("analytics-stalled"), {"page": 9}).text
    assert rows_shown(past_the_end) == rows_shown(second) and "Page 2 of 2" in past_the_end
    assert '<nav class="pager" aria-label="Pages of stalled deals">' in first


def test_paging_stalled_deals_keeps_the_stage_chosen(client, marketer):
    stalled_world(60)
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-stalled"), {"stage": "discovery"}).text
    assert 'href="?stage=discovery&amp;page=2"' in page
    assert 'href="?stage=discovery&amp;format=csv"' in page  # the CSV keeps it too
    assert rows_shown(client.get(reverse("analytics-stalled"), {"stage": "proposal"}).text) == []


def test_a_stage_that_is_not_one_is_named_and_every_stage_shown(client, marketer):
    stalled_world(3)
    analytics_compute()
    client.force_login(marketer)
    response = client.get(reverse("analytics-stalled"), {"stage": "nowhere", "page": "x"})
    assert response.status_code == 200
    assert (
        "Funnel stage “nowhere” is not an open stage" in response.text and len(rows_shown(response.text)) == 3
    )


def test_the_nurture_csv_is_streamed_with_the_rows_it_always_had(client, marketer):
    stalled_world(60)
    run = analytics_compute()
    client.force_login(marketer)
    response = client.get(reverse("analytics-stalled"), {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 61 and rows == old_stalled_csv(run)
    assert rows[4][2] == "'=cmd|' /C calc'!A0"  # still written as text, not a formula


@pytest.mark.parametrize("name", ["analytics-stalled", "analytics-retire", "analytics-coverage"])
def test_the_lists_run_as_many_queries_for_sixty_rows_as_for_five(client, marketer, name):
    client.force_login(marketer)

    def world(n: int, prefix: str) -> None:
        stalled_world(n, prefix)
        for i in range(n):
            role = BuyerRoleFactory(slug=f"{prefix}role-{i}")
            AssetFactory(
                slug=f"{prefix}unused-{i}", review_by=timezone.localdate() - timedelta(days=1)
            ).buyer_roles.add(role)
        analytics_compute()

    world(5, "a-")
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    world(55, "b-")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(name)).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


def test_retire_pages_each_list_and_keeps_the_others_pages(client, marketer):
    for n in range(60):
        AssetFactory(title=f"Unused {n:02d}", review_by=timezone.localdate() - timedelta(days=60 - n))
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-retire"), {"review_page": 2}).text
    unused = page[page.index("Unused in 90 days") : page.index("Lower conversion")]
    review = page[page.index("Review date passed") :]
    assert unused.count("never used") == 50 and "1–50 of 60" in unused
    assert 'href="?review_page=2&amp;unused_page=2"' in unused  # paging one list keeps the other's page
    assert "51–60 of 60" in review and "Unused 50" in review and "Unused 49" not in review


def test_the_coverage_map_pages_its_buyer_roles(client, marketer):
    for n in range(60):
        BuyerRoleFactory(slug=f"r-{n:02d}", name=f"Role {n:02d}")
    analytics_compute()
    client.force_login(marketer)
    names = list(BuyerRole.objects.values_list("name", flat=True))  # in the map's order, by name
    first = client.get(reverse("analytics-coverage")).text
    second = client.get(reverse("analytics-coverage"), {"page": 2}).text
    assert re.findall(r'<tr><th scope="row">([^<]*)</th>', first) == names[:50]
    assert re.findall(r'<tr><th scope="row">([^<]*)</th>', second) == names[50:]
    assert '<nav class="pager" aria-label="Pages of buyer roles">' in first


def test_unused_assets_are_those_the_old_query_found_never_used_first(client, marketer):
    deal = DealFactory()
    for n in range(8):
        asset = AssetFactory(title=f"Used {n}")
        use(deal, asset, 10 * (8 - n), f"u-{n}")  # 2025: long unused, the later titles the longer
    AssetFactory(title="Recently used")
    use(deal, AssetFactory._meta.model.objects.get(title="Recently used"), days_ago(5), "recent")
    for n in range(3):
        AssetFactory(title=f"Never {n}")
    analytics_compute()
    client.force_login(marketer)
    shown = re.findall(
        r'<li><a href="/admin/assets/asset/\d+/change/">([^<]*)</a>',
        client.get(reverse("analytics-retire")).text,
    )
    old = sorted(old_unused(), key=lambda a: (a.last_used is not None, a.last_used or 0, a.title))
    assert (
        shown[:11]
        == [a.title for a in old]
        == ["Never 0", "Never 1", "Never 2"] + [f"Used {n}" for n in range(7, -1, -1)]
    )


def unused_titles(client) -> list[str]:
    page = client.get(reverse("analytics-retire")).text
    unused = page[page.index("Unused in 90 days") : page.index("Lower conversion")]
    return re.findall(r'<li><a href="/admin/assets/asset/\d+/change/">([^<]*)</a>', unused)


def test_a_use_recorded_after_the_run_takes_the_asset_off_the_unused_list(client, marketer):
    deal = DealFactory()
    old, idle = AssetFactory(title="Old deck"), AssetFactory(title="Idle sheet")
    use(deal, old, 10, "long-ago")
    analytics_compute()
    client.force_login(marketer)
    assert unused_titles(client) == ["Idle sheet", "Old deck"]
    use(deal, old, days_ago(1), "yesterday")  # recorded now, after the run
    assert unused_titles(client) == ["Idle sheet"]
    use(deal, idle, days_ago(2), "the day before")
    analytics_compute(refresh=True)
    assert unused_titles(client) == []
    refreshed = sorted(AssetLastUse.objects.values_list("asset_id", "last_used"))
    analytics_compute()  # a full run stores the same last uses the refresh moved on
    assert sorted(AssetLastUse.objects.values_list("asset_id", "last_used")) == refreshed


def test_after_a_use_is_deleted_the_list_reads_every_event_until_the_next_run(client, marketer):
    deal = DealFactory()
    asset = AssetFactory(title="Deck")
    use(deal, asset, 10, "long-ago")
    use(deal, asset, days_ago(3), "mistake")
    analytics_compute()
    client.force_login(marketer)
    assert unused_titles(client) == []
    usage_delete(events=UsageEvent.objects.filter(event_id="mistake"))  # as the admin deletes
    assert unused_titles(client) == ["Deck"]
