"""The figures worded for people: signed points that never hide a sign, seconds as "2 min 5 s", plurals,
the table grouped by stage and paged with its filters kept, and empty states that say what is true."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import reverse

from enablement.analytics import wording
from enablement.analytics.asset_table import PER_PAGE, empty_state
from enablement.analytics.engine import analytics_compute
from tests.enablement.analytics.builders import planted_world


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.153, "+15"), (-0.28, "−28"), (0.0, "0"), (0.004, "+0.4"), (-0.0004, "−0.04"), (0.0049, "+0.5")],
)
def test_points_are_signed_and_a_bound_near_zero_keeps_its_side(value, text):
    assert wording.points(value) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(28.9, "29 s"), (0.2, "0 s"), (60, "1 min"), (125, "2 min 5 s"), (3599.6, "1 h"), (3900, "1 h 5 min")],
)
def test_seconds_read_as_minutes_and_seconds(seconds, text):
    assert wording.duration(seconds) == text


def test_plurals():
    assert wording.plural(1, "asset") == "1 asset" and wording.plural(2, "asset") == "2 assets"
    assert wording.plural(3, "search", "searches") == "3 searches"


@pytest.mark.django_db
def test_empty_states_say_what_is_true_of_the_filters():
    query = QueryDict("stage=proposal&verdict=helps")
    assert empty_state(query, used=True) == "No asset has significantly higher conversion yet at Proposal."
    hurts = empty_state(QueryDict("verdict=hurts"), used=True)
    assert hurts == "No asset has significantly lower conversion."
    assert empty_state(query, used=False) == "No asset has been used at a stage yet."
    read = empty_state(QueryDict("stage=proposal&exposure=read"), used=True)
    assert read == "No buyer has read an asset long enough in a deal room at Proposal yet."


@pytest.mark.django_db
def test_the_table_is_grouped_by_stage_and_paged_with_the_filters_kept(client, marketer):
    planted_world(seed=11)
    analytics_compute()
    client.force_login(marketer)
    rows = 24  # one stage, 24 assets: fewer than a page
    page = client.get(reverse("analytics-assets"), {"stage": "proposal", "kind": ""}).text
    assert page.count('<tr class="group">') == 1 and ">Proposal</th>" in page
    assert f"{rows} asset and stage rows" in page and "Page 1 of" not in page
    assert "adjusted for 23 comparisons" in page  # the rare asset has too little data
    assert PER_PAGE == 50


@pytest.mark.django_db
def test_a_second_page_keeps_the_filters(client, marketer, monkeypatch):
    from enablement.analytics import asset_table

    monkeypatch.setattr(asset_table, "PER_PAGE", 10)
    planted_world(seed=11)
    analytics_compute()
    client.force_login(marketer)
    first = client.get(reverse("analytics-assets"), {"stage": "proposal", "sort": "asset"}).text
    assert "Page 1 of 3" in first and 'href="?stage=proposal&amp;sort=asset&amp;page=2" rel="next"' in first
    second = client.get(reverse("analytics-assets"), {"stage": "proposal", "sort": "asset", "page": 2}).text
    assert "Page 2 of 3" in second and "selected>Title</option>" in second
    table = second[second.index('class="table assets-table"') :]  # the chart's table holds every row
    assert ">null 17<" in table and ">null 0<" not in table  # by title, 10 a page


@pytest.mark.django_db
def test_an_empty_filter_says_no_asset_has_higher_conversion_yet_at_that_stage(client, marketer):
    planted_world(seed=11)
    analytics_compute()
    client.force_login(marketer)
    page = client.get(reverse("analytics-assets"), {"stage": "negotiation", "verdict": "helps"}).text
    assert "No asset has significantly higher conversion yet at Negotiation." in page
    assert "No asset has been used at a stage yet" not in page
