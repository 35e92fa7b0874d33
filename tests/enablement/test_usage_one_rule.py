"""One rule for usage events, whichever way they arrive: the same hostile rows sent through the API, a
native import and the single-event service end the same way, row for row. On PostgreSQL the import
judges its file in SQL (the staging path), so this also holds that path to the service's rules."""

from __future__ import annotations

import contextlib
import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from rest_framework.test import APIClient

from assets.models import Asset, FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.importers import run_import
from enablement.models import Deal, UsageEvent
from enablement.usage import services
from enablement.usage.bulk import COPY_FROM
from enablement.usage.services import usage_record, usage_record_many
from tests.factories import AssetFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STORED_AT = START + timedelta(days=1)
CLOSED_AT = START + timedelta(days=5)

# (event_id, deal, asset, action, occurred_at): re-sends of an event recorded before the run, with each
# field changed; repeats within the batch; uses before, at and after a deal closed.
ROWS = [
    ("new-1", "D-OPEN", "roi", "viewed", START + timedelta(days=2)),
    ("new-1", "D-OPEN", "roi", "viewed", START + timedelta(days=2)),
    ("stored-1", "D-OPEN", "roi", "presented", STORED_AT),
    ("stored-1", "D-OPEN", "roi", "emailed", STORED_AT),
    ("stored-1", "D-OPEN", "deck", "presented", STORED_AT),
    ("stored-1", "D-OPEN", "roi", "presented", STORED_AT + timedelta(hours=1)),
    ("stored-1", "D-WON", "roi", "presented", STORED_AT),
    ("before-close", "D-WON", "roi", "viewed", CLOSED_AT - timedelta(minutes=1)),
    ("at-close", "D-WON", "roi", "viewed", CLOSED_AT),
    ("after-close", "D-WON", "roi", "shared", CLOSED_AT + timedelta(days=1)),
    ("after-close", "D-WON", "roi", "shared", CLOSED_AT + timedelta(days=1)),
]
EXPECTED = [
    "created",
    "duplicate",
    "duplicate",
    "rejected",
    "rejected",
    "rejected",
    "rejected",
    "created",
    "rejected",
    "rejected",
    "rejected",
]


@pytest.fixture
def world():
    rep = UserFactory(username="rep-one", role="Reps")
    won = FunnelStage.objects.get(slug="closed-won")
    open_deal = DealFactory(external_id="D-OPEN", owner=rep)
    closed_deal = DealFactory(external_id="D-WON", owner=rep)
    for deal in (open_deal, closed_deal):
        deal_stage_change(deal=deal, stage=FunnelStage.objects.get(slug="proposal"), entered_at=START)
    deal_stage_change(deal=closed_deal, stage=won, entered_at=CLOSED_AT)
    AssetFactory(slug="roi", title="ROI calculator")
    AssetFactory(slug="deck", title="Pitch deck")
    usage_record(
        event_id="stored-1",
        asset=Asset.objects.get(slug="roi"),
        deal=open_deal,
        rep=rep,
        action="presented",
        occurred_at=STORED_AT,
    )
    return {"rep": rep, "integration": UserFactory(username="crm-sync", role="Admins")}


def _api_outcomes(world: dict, rows: list[tuple]) -> list[dict]:
    client = APIClient()
    client.force_authenticate(world["integration"])
    events = [
        {
            "event_id": event_id,
            "deal_id": deal,
            "asset": asset,
            "rep": world["rep"].username,
            "action": action,
            "occurred_at": when.isoformat().replace("+00:00", "Z"),
        }
        for event_id, deal, asset, action, when in rows
    ]
    response = client.post("/api/v1/usage-events/", events, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _status_and_message(results: list[dict]) -> list[tuple[str, str]]:
    return [(r["status"], " ".join(m for ms in r.get("errors", {}).values() for m in ms)) for r in results]


def through_the_api(world: dict, tmp_path: Path) -> list[tuple[str, str]]:
    return _status_and_message(_api_outcomes(world, ROWS))


def through_the_api_in_one_big_batch(world: dict, tmp_path: Path) -> list[tuple[str, str]]:
    """The rows at the head of a batch big enough for the set-based writer on PostgreSQL (the rest
    are new events of their own)."""
    filler = [
        (f"filler-{n}", "D-OPEN", "deck", "viewed", START + timedelta(days=2, minutes=n))
        for n in range(COPY_FROM)
    ]
    results = _api_outcomes(world, ROWS + filler)
    assert {r["status"] for r in results[len(ROWS) :]} == {"created"}
    return _status_and_message(results[: len(ROWS)])


def through_an_import(world: dict, tmp_path: Path) -> list[tuple[str, str]]:
    folder = tmp_path / "crm"
    folder.mkdir(parents=True)
    with (folder / "usage.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["event_id", "deal_id", "asset", "rep_email", "action", "occurred_at"])
        for event_id, deal, asset, action, when in ROWS:
            writer.writerow([event_id, deal, asset, world["rep"].email, action, when.isoformat()])
    report = run_import("native", folder, skip_invalid=True)
    rejected = {}
    for error in report.errors:
        file, line, reason = error.split(":", 2)
        assert file == "usage.csv"
        rejected[int(line)] = reason.strip()
    counts = report.counts("usage.csv")
    recorded = [i for i in range(len(ROWS)) if i + 2 not in rejected]
    # An import reports counts, not each row's status: the recorded rows are told apart by them.
    statuses = _created_then_duplicate(recorded, created=counts.created, duplicates=counts.unchanged)
    return [
        ("rejected", rejected[i + 2]) if i + 2 in rejected else (statuses[i], "") for i in range(len(ROWS))
    ]


def through_the_service(world: dict, tmp_path: Path) -> list[tuple[str, str]]:
    outcomes = []
    for event_id, deal, asset, action, when in ROWS:
        try:
            _, created = usage_record(
                event_id=event_id,
                asset=Asset.objects.get(slug=asset),
                deal=Deal.objects.get(external_id=deal),
                rep=world["rep"],
                action=action,
                occurred_at=when,
                source="api",
            )
        except ValidationError as exc:
            outcomes.append(("rejected", " ".join(exc.messages)))
        else:
            outcomes.append(("created" if created else "duplicate", ""))
    return outcomes


def _created_then_duplicate(recorded: list[int], *, created: int, duplicates: int) -> dict[int, str]:
    """The import's recorded rows as created or duplicate: a row is a duplicate when its event was
    recorded before the run or earlier in the file, which the counts must then agree with."""
    seen = {"stored-1"}  # recorded by the world fixture, before the run
    statuses = {}
    for i in recorded:
        event_id = ROWS[i][0]
        statuses[i] = "duplicate" if event_id in seen else "created"
        seen.add(event_id)
    assert sum(s == "created" for s in statuses.values()) == created
    assert sum(s == "duplicate" for s in statuses.values()) == duplicates
    return statuses


PATHS = {
    "api": through_the_api,
    "api-batch": through_the_api_in_one_big_batch,
    "import": through_an_import,
    "service": through_the_service,
}


@pytest.mark.parametrize("path", PATHS)
def test_each_hostile_row_ends_as_the_usage_rules_say(path, world, tmp_path):
    outcomes = PATHS[path](world, tmp_path)
    assert [status for status, _ in outcomes] == EXPECTED
    messages = [message for _, message in outcomes]
    assert "was already recorded with different content (action)" in messages[3]
    assert "(asset)" in messages[4] and "(occurred_at)" in messages[5] and "(deal_id)" in messages[6]
    assert messages[8].startswith("Deal D-WON closed on 2026-03-07 09:00 UTC")
    assert UsageEvent.objects.filter(event_id__in=["new-1", "before-close"]).count() == 2
    assert not UsageEvent.objects.filter(event_id__in=["at-close", "after-close"]).exists()
    assert UsageEvent.objects.get(event_id="stored-1").action == "presented"


def test_the_api_an_import_and_the_service_end_every_row_the_same_way(world, tmp_path):
    seen = {}
    for name, path in PATHS.items():
        with contextlib.suppress(_RolledBack), transaction.atomic():
            seen[name] = path(world, tmp_path / name)
            raise _RolledBack  # each path starts from the same database
    assert seen["api"] == seen["api-batch"] == seen["import"] == seen["service"]


class _RolledBack(Exception):
    pass


def test_a_big_batch_and_a_small_one_end_every_event_the_same_way(world, monkeypatch):
    """usage_record_many's two dialects (row by row; set-based for big batches on PostgreSQL) on what
    only the service sees: unknown actions, events without a time, and repeats of each (a batch with a
    time without a zone goes row by row: tests/enablement/test_usage_two_paths.py)."""
    deal = Deal.objects.get(external_id="D-OPEN")
    won = Deal.objects.get(external_id="D-WON")
    roi, deck = Asset.objects.get(slug="roi"), Asset.objects.get(slug="deck")

    def event(event_id, *, asset=roi, on=deal, action="viewed", when=START + timedelta(days=2)) -> dict:
        return {
            "event_id": event_id,
            "asset_id": asset.pk,
            "deal_id": on.pk,
            "rep_id": world["rep"].pk,
            "action": action,
            "occurred_at": when,
            "source": "api",
        }

    batch = [
        event("bad-action", action="waved"),
        event("bad-action", action="waved"),
        event("bad-action", action="viewed"),
        event("refused", action="waved", asset=deck),
        event("refused", action="viewed", asset=deck),
        event("no-time", when=None),
        event("no-time", when=None),
        event("no-time", when=START),
        event("stored-1", action="presented", when=None),
        event("stored-1", action="presented", when=STORED_AT),
        event("late", on=won, when=None),
        event("late", on=won, when=None),
        event("late", on=won, when=None, asset=deck),
    ]
    batch += [event(f"filler-{n}", asset=deck) for n in range(COPY_FROM)]
    seen, set_based = {}, []
    record_set_based = services._record_set_based
    monkeypatch.setattr(services, "_record_set_based", lambda *a: set_based.append(1) or record_set_based(*a))
    for name, threshold in (("rows", len(batch) + 1), ("set", 1)):
        monkeypatch.setattr("enablement.usage.services.COPY_FROM", threshold)
        with contextlib.suppress(_RolledBack), transaction.atomic():
            seen[name] = [(o.status, o.errors) for o in usage_record_many(events=batch)]
            seen[name + " stored"] = sorted(UsageEvent.objects.values_list("event_id", "action"))
            raise _RolledBack
    assert len(set_based) == (1 if connection.vendor == "postgresql" else 0)
    assert seen["rows"] == seen["set"]
    assert seen["rows stored"] == seen["set stored"]
    statuses = [status for status, _ in seen["rows"][:13]]
    assert statuses == [
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "created",
        "duplicate",
        "rejected",
        "duplicate",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert "Unknown action 'waved'" in seen["rows"][1][1]["action"][0]
    assert "appears earlier in this batch" in seen["rows"][2][1]["event_id"][0]
    assert "without occurred_at happens now" in seen["rows"][11][1]["occurred_at"][0]
