"""The API's lists come in cursor pages: every row once, in order, however far the walk goes, without
counting the whole list; `?page=N` is answered as before for the deprecation period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assets.models import FunnelStage
from enablement.deals.models import Deal, StageChange
from tests.enablement.api.conftest import client_for
from tests.factories import AssetFactory, DealFactory


def walk(client, url: str) -> tuple[list[dict], list[list[str]]]:
    """Every row of a cursor-paged list, following `next`; and each page's SQL."""
    rows, sql = [], []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            reply = client.get(url)
        assert reply.status_code == 200, reply.content
        body = reply.json()
        assert "count" not in body
        rows += body["results"]
        sql.append([q["sql"] for q in ctx.captured_queries])
        url = body["next"]
    return rows, sql


def test_cursor_pages_list_every_deal_once_newest_first_without_counting(world):
    now = timezone.now()
    for n in range(110):  # several deals share a moment, so the cursor must step past ties
        DealFactory(owner=world["rep"], external_id=f"P{n}", created_at=now - timedelta(hours=n // 4))
    expected = list(Deal.objects.order_by("-created_at", "pk").values_list("external_id", flat=True))
    rows, sql = walk(client_for(world, "admin"), "/api/v1/deals/")
    assert [r["deal_id"] for r in rows] == expected
    # The first request also loads the caller's permissions; later pages run the same queries.
    assert len(sql) == 3 and len(sql[1]) == len(sql[2])
    assert not [q for page in sql for q in page if "COUNT(" in q.upper()]


def test_a_rep_walks_only_their_own_deals(world):
    for n in range(60):
        DealFactory(owner=world["rep" if n % 2 else "other"], external_id=f"M{n}")
    rows, _ = walk(client_for(world, "rep"), "/api/v1/deals/")
    mine = Deal.objects.filter(owner=world["rep"]).order_by("-created_at", "pk")
    assert [r["deal_id"] for r in rows] == list(mine.values_list("external_id", flat=True))


def test_cursor_pages_list_assets_by_title_with_equal_titles_each_once(world):
    for n in range(70):
        AssetFactory(title=f"Deck {n % 30:02d}", slug=f"deck-{n}")
    rows, _ = walk(client_for(world, "rep"), "/api/v1/assets/")
    slugs = [r["slug"] for r in rows]
    assert len(slugs) == len(set(slugs)) == 71  # and the world's ROI calculator
    assert [r["title"] for r in rows] == sorted(r["title"] for r in rows)


@pytest.mark.parametrize("path", ["/api/v1/deals/", "/api/v1/assets/"])
def test_numbered_pages_are_answered_as_before_and_say_they_are_deprecated(world, path):
    for n in range(60):
        DealFactory(owner=world["rep"], external_id=f"N{n}")
        AssetFactory(slug=f"n-{n}")
    client = client_for(world, "admin")
    cursor_rows, _ = walk(client, path)
    first, second = client.get(path, {"page": 1}), client.get(path, {"page": 2})
    assert first["Deprecation"] == "true"
    assert first.json()["count"] == second.json()["count"] == len(cursor_rows) > 50
    numbered = first.json()["results"] + second.json()["results"]
    assert numbered == cursor_rows
    assert second.json()["next"] is None and "page=1" not in (second.json()["previous"] or "page=1")


def many_stage_changes(deal: Deal, n: int) -> list[str]:
    """n history rows for the deal, several at each moment; their ids oldest first (ties by id)."""
    stages = list(FunnelStage.objects.filter(outcome="open"))
    start = timezone.now() - timedelta(days=n)
    StageChange.objects.bulk_create(
        StageChange(
            deal=deal,
            stage=stages[i % len(stages)],
            entered_at=start + timedelta(hours=i // 3),
            external_id=f"H{i}",
        )
        for i in range(n)
    )
    return list(deal.stage_changes.order_by("entered_at", "pk").values_list("external_id", flat=True))


def test_cursor_pages_list_a_deals_history_once_oldest_first_without_counting(world):
    expected = many_stage_changes(world["deal"], 120)
    rows, sql = walk(client_for(world, "token"), "/api/v1/deals/R1/stage-changes/?cursor=")
    assert [r["id"] for r in rows] == expected and len(rows) == 121  # and the world's own row
    assert len(sql) == 3 and len(sql[1]) == len(sql[2])
    assert not [q for page in sql for q in page if "COUNT(" in q.upper()]


def test_a_deals_history_without_a_cursor_is_the_whole_list_as_before_and_says_it_is_deprecated(world):
    many_stage_changes(world["deal"], 70)
    client = client_for(world, "rep")
    rows, _ = walk(client, "/api/v1/deals/R1/stage-changes/?cursor=")
    whole = client.get("/api/v1/deals/R1/stage-changes/")
    assert whole["Deprecation"] == "true"
    assert whole.json() == rows and len(rows) == 71
    assert "Deprecation" not in client.get("/api/v1/deals/R1/stage-changes/?cursor=")
