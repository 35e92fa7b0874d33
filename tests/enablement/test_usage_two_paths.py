"""usage_record_many's two paths end the same events the same way: row by row (small batches, SQLite)
and set-based (PostgreSQL, a batch of COPY_FROM events or more). Each test sends the same events through
both and compares outcomes, what is stored, use counts and webhook events, on the cases a hostile review
found them apart: repeats of refused events, times without a zone, an event recorded meanwhile by
another client, an event naming no deal."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction

from assets.models import Asset, FunnelStage
from enablement import webhook_events
from enablement.deals.history import deal_stage_change
from enablement.models import UsageEvent
from enablement.usage import services
from enablement.usage.bulk import COPY_FROM
from enablement.usage.services import usage_record, usage_record_many
from tests.factories import AssetFactory, DealFactory, UserFactory
from tests.waiting import wait_until

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STORED_AT = START + timedelta(days=1)
CLOSED_AT = START + timedelta(days=5)


class _RolledBack(Exception):
    pass


@pytest.fixture
def world():
    rep = UserFactory(username="rep-one", role="Reps")
    open_deal = DealFactory(external_id="D-OPEN", owner=rep)
    won_deal = DealFactory(external_id="D-WON", owner=rep)
    for deal in (open_deal, won_deal):
        deal_stage_change(deal=deal, stage=FunnelStage.objects.get(slug="proposal"), entered_at=START)
    deal_stage_change(deal=won_deal, stage=FunnelStage.objects.get(slug="closed-won"), entered_at=CLOSED_AT)
    roi = AssetFactory(slug="roi", title="ROI calculator")
    deck = AssetFactory(slug="deck", title="Pitch deck")
    usage_record(
        event_id="stored-1", asset=roi, deal=open_deal, rep=rep, action="presented", occurred_at=STORED_AT
    )
    return {"rep": rep, "open": open_deal, "won": won_deal, "roi": roi, "deck": deck}


def event(world, event_id, *, asset="roi", on="open", action="viewed", when=START + timedelta(days=2), **kw):
    return {
        "event_id": event_id,
        "asset_id": world[asset].pk,
        "asset_version_id": world[asset].current_version_id,
        "deal_id": world[on].pk,
        "rep_id": world["rep"].pk,
        "action": action,
        "occurred_at": when,
        "source": "api",
        **kw,
    }


def filler(world) -> list[dict]:
    return [
        event(world, f"zz-filler-{n:03}", asset="deck", when=START + timedelta(days=2, minutes=n))
        for n in range(COPY_FROM)
    ]


def both_paths(monkeypatch, batch: list[dict], *, set_based: bool = True) -> dict[str, dict]:
    """The batch through each path, from the same database: outcomes (of the events before the filler),
    the stored events, the assets' use counts and the webhook's event ids. `set_based`: whether the
    big batch takes the set-based path (a batch with a time without a zone goes row by row)."""
    seen, ran = {}, []
    record_set_based = services._record_set_based
    monkeypatch.setattr(services, "_record_set_based", lambda *a: ran.append(1) or record_set_based(*a))
    hooks: list[set] = []
    usage_recorded = webhook_events.usage_recorded
    monkeypatch.setattr(
        webhook_events,
        "usage_recorded",
        lambda ids, **kw: hooks.append(set(ids)) or usage_recorded(ids, **kw),
    )
    head = len(batch) - COPY_FROM
    for name, threshold in (("rows", len(batch) + 1), ("set", 1)):
        monkeypatch.setattr("enablement.usage.services.COPY_FROM", threshold)
        hooks.clear()
        with contextlib.suppress(_RolledBack), transaction.atomic():
            outcomes = usage_record_many(events=batch)
            seen[name] = {
                "outcomes": [(o.status, o.errors) for o in outcomes[:head]],
                "stored": sorted(
                    UsageEvent.objects.values_list(
                        "event_id", "deal_id", "asset_id", "rep_id", "action", "occurred_at", "stage__slug"
                    )
                ),
                "use counts": sorted(Asset.objects.values_list("slug", "use_count")),
                "webhook": [sorted(h) for h in hooks],
            }
            raise _RolledBack
    assert ran == ([1] if set_based else []), "the set-based path ran" if ran else "it did not run"
    return seen


def test_repeat_of_a_refused_first_mention_is_compared_with_that_mention_not_with_the_stored_event(
    world, monkeypatch
):
    """stored-1 is recorded (presented at STORED_AT). The batch sends it first with an unknown action
    (refused on its own), then exactly as stored: the repeat is compared with its first mention,
    rejected on event_id, on both paths."""
    batch = [
        event(world, "stored-1", action="waved", when=STORED_AT),
        event(world, "stored-1", action="presented", when=STORED_AT),
        *filler(world),
    ]
    seen = both_paths(monkeypatch, batch)
    assert seen["rows"]["outcomes"][1][1] == {
        "event_id": [
            "event_id 'stored-1' appears earlier in this batch with different content (action); "
            "a recorded event is never changed."
        ]
    }
    assert seen["set"] == seen["rows"]


def test_refused_first_mention_of_a_stored_event_then_a_third_content(world, monkeypatch):
    """stored-1 sent first with an unknown action, then with another asset: the repeat differs from its
    first mention (not from the stored event) in asset and action, on both paths."""
    batch = [
        event(world, "stored-1", action="waved", when=STORED_AT),
        event(world, "stored-1", action="presented", asset="deck", when=STORED_AT),
        *filler(world),
    ]
    seen = both_paths(monkeypatch, batch)
    assert "(asset, action)" in seen["rows"]["outcomes"][1][1]["event_id"][0]
    assert seen["set"] == seen["rows"]


NAIVE = START.replace(tzinfo=None) + timedelta(days=2)


@pytest.mark.parametrize(
    "first, then, stored_first",
    [
        (NAIVE, START + timedelta(days=2), False),  # refused, then the same moment with a zone
        (START + timedelta(days=2), NAIVE, False),  # created, then the same wall time without a zone
        (STORED_AT.replace(tzinfo=None), STORED_AT, True),  # a stored event, refused, then as stored
        (STORED_AT, STORED_AT.replace(tzinfo=None), True),  # a stored event, then without a zone
    ],
    ids=["naive-then-aware", "aware-then-naive", "stored-naive-then-aware", "stored-aware-then-naive"],
)
def test_a_batch_with_a_time_without_a_zone_goes_row_by_row(world, monkeypatch, first, then, stored_first):
    """A time without a zone is refused, and never equal to one with a zone when a repeat is compared
    with it, which SQL cannot tell apart (COPY reads it as UTC): such a batch is judged row by row, and
    the repeat is rejected on event_id."""
    event_id = "stored-1" if stored_first else "new-1"
    action = "presented" if stored_first else "viewed"
    batch = [
        event(world, event_id, action=action, when=first),
        event(world, event_id, action=action, when=then),
        *filler(world),
    ]
    seen = both_paths(monkeypatch, batch, set_based=False)
    assert seen["rows"]["outcomes"][1][0] == "rejected"
    assert "event_id" in seen["rows"]["outcomes"][1][1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["rows", "set"])
def test_an_event_recorded_meanwhile_by_another_client_is_what_repeats_are_compared_with(
    world, monkeypatch, path
):
    """Another client records stored-2 (presented) and commits while this batch waits on its unique
    index entry. The batch sends stored-2 viewed, viewed again, then presented: on either path every
    mention is compared with what the other client stored (rejected, rejected, duplicate), though the
    set-based path had judged the first mention new before it waited."""
    monkeypatch.setattr("enablement.usage.services.COPY_FROM", 1 if path == "set" else 10_000)
    inserted, failure = threading.Event(), []

    def other_client():
        try:
            with transaction.atomic():
                UsageEvent.objects.create(
                    event_id="stored-2",
                    asset=world["roi"],
                    deal=world["open"],
                    rep=world["rep"],
                    action="presented",
                    occurred_at=STORED_AT,
                    source="api",
                )
                inserted.set()
                with connection.cursor() as cursor:  # until the batch waits for this transaction

                    def batch_waits() -> bool:
                        cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE NOT granted")
                        return bool(cursor.fetchone()[0])

                    wait_until(
                        batch_waits, seconds=10, what="the batch to wait on the other client", every=0.05
                    )
        except Exception as exc:
            failure.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_client)
    thread.start()
    assert inserted.wait(10)
    batch = [
        event(world, "stored-2", action="viewed", when=STORED_AT),
        event(world, "stored-2", action="viewed", when=STORED_AT),
        event(world, "stored-2", action="presented", when=STORED_AT),
        *filler(world),
    ]
    outcomes = usage_record_many(events=batch)
    thread.join(20)
    assert not failure
    assert [o.status for o in outcomes[:3]] == ["rejected", "rejected", "duplicate"]
    assert "was already recorded with different content (action)" in outcomes[1].message


@pytest.mark.parametrize("path", ["rows", "set"])
def test_an_event_without_a_deal_is_not_answered_as_recorded_differently(world, monkeypatch, path):
    """deal_id None (a caller's bug; the API and importers resolve deals first): on either path an
    IntegrityError, as the NOT NULL column refuses it, not a made-up answer."""
    monkeypatch.setattr("enablement.usage.services.COPY_FROM", 1 if path == "set" else 10_000)
    batch = [event(world, "nodeal-1"), *filler(world)]
    batch[0]["deal_id"] = None
    with pytest.raises(IntegrityError), transaction.atomic():
        usage_record_many(events=batch)
