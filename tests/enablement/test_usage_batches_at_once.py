"""Hostile batches through both paths of usage_record_many (row by row and set-based): the same outcomes,
stored events, use counts and per-stage counts, each equal to a recount from the events."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import Count

from assets.models import Asset, FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.models import UsageEvent
from enablement.usage import services
from enablement.usage.bulk import COPY_FROM
from enablement.usage.counts import usage_counts_refresh
from enablement.usage.models import AssetStageUses
from enablement.usage.services import usage_record, usage_record_many
from tests.factories import AssetFactory, DealFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class _RolledBack(Exception):
    pass


def stage(slug):
    return FunnelStage.objects.get(slug=slug)


@pytest.fixture
def world():
    rep = UserFactory(username="rep-one", role="Reps")
    staged = DealFactory(external_id="D-STAGED", owner=rep)
    deal_stage_change(deal=staged, stage=stage("discovery"), entered_at=START)
    deal_stage_change(deal=staged, stage=stage("proposal"), entered_at=START + timedelta(days=3))
    bare = DealFactory(external_id="D-BARE", owner=rep)  # no history: its uses have no stage
    won = DealFactory(external_id="D-WON", owner=rep)
    deal_stage_change(deal=won, stage=stage("proposal"), entered_at=START)
    deal_stage_change(deal=won, stage=stage("closed-won"), entered_at=START + timedelta(days=5))
    roi, deck = AssetFactory(slug="roi"), AssetFactory(slug="deck")
    usage_record(
        event_id="stored-1",
        asset=roi,
        deal=staged,
        rep=rep,
        action="presented",
        occurred_at=START + timedelta(days=1),
    )
    return {"rep": rep, "staged": staged, "bare": bare, "won": won, "roi": roi, "deck": deck}


def ev(world, event_id, *, asset="roi", on="staged", action="viewed", days=1.5, **kw):
    return {
        "event_id": event_id,
        "asset_id": world[asset].pk,
        "asset_version_id": world[asset].current_version_id,
        "deal_id": world[on].pk,
        "rep_id": world["rep"].pk,
        "action": action,
        "occurred_at": START + timedelta(days=days),
        "source": "api",
        **kw,
    }


def snapshot(outcomes):
    return {
        "outcomes": [(o.status, o.errors) for o in outcomes],
        "stored": sorted(
            UsageEvent.objects.values_list("event_id", "deal_id", "asset_id", "action", "stage__slug")
        ),
        "use counts": sorted(Asset.objects.values_list("slug", "use_count")),
        "stage uses": sorted(
            AssetStageUses.objects.filter(uses__gt=0).values_list("asset__slug", "stage__slug", "uses")
        ),
    }


def recount():
    return {
        "use counts": sorted(
            (a.slug, a.n) for a in Asset.objects.annotate(n=Count("usage_events")).order_by()
        ),
        "stage uses": sorted(
            UsageEvent.objects.filter(stage__isnull=False)
            .values_list("asset__slug", "stage__slug")
            .annotate(n=Count("pk"))
            .order_by()
        ),
    }


def both_paths(monkeypatch, batch):
    seen, ran = {}, []
    real = services._record_set_based
    monkeypatch.setattr(services, "_record_set_based", lambda *a: ran.append(1) or real(*a))
    for name, threshold in (("rows", len(batch) + 1), ("set", 1)):
        monkeypatch.setattr("enablement.usage.services.COPY_FROM", threshold)
        with contextlib.suppress(_RolledBack), transaction.atomic():
            seen[name] = snapshot(usage_record_many(events=batch))
            counted = recount()
            assert {k: seen[name][k] for k in counted} == counted, name
            usage_counts_refresh()
            assert snapshot([]) | {"outcomes": seen[name]["outcomes"]} == seen[name], name
            raise _RolledBack
    assert ran == [1]
    return seen


def test_hostile_batch_same_on_both_paths(world, monkeypatch):
    batch = [
        ev(world, "dup", asset="deck", days=1),
        ev(world, "dup", asset="deck", days=1),  # the same twice
        ev(world, "dup", asset="roi", days=1),  # then different
        ev(world, "stored-1", action="viewed", days=1),  # recorded with other content
        ev(world, "stored-1", action="presented", days=1),  # as recorded
        ev(world, "closed", on="won", days=6),  # after its deal closed
        ev(world, "closed", on="won", days=6),
        ev(world, "bare-1", on="bare"),  # no history: no stage
        ev(world, "bare-2", on="bare", asset="deck"),
        ev(world, "before-history", on="staged", days=-1),  # before the deal's first stage
        ev(world, "at-discovery", days=2),
        ev(world, "at-proposal", days=4),  # the same asset at another stage
        ev(world, "won-before", on="won", days=4, asset="deck"),
        *[ev(world, f"zz-{n:03}", asset="deck" if n % 2 else "roi", days=n / 10) for n in range(COPY_FROM)],
    ]
    seen = both_paths(monkeypatch, batch)
    assert seen["set"] == seen["rows"]


@pytest.mark.django_db(transaction=True)
def test_a_small_and_a_big_batch_on_the_same_asset_and_stage_at_once_both_commit(world, monkeypatch):
    """A small batch (row by row) adds to the per-stage count, then to the asset's; a big batch (set-based)
    added to the asset's, then the per-stage count. Interleaved, each holds the row the other wants
    next: PostgreSQL kills one with a deadlock. Forced by holding the small batch after its first count
    write until the big batch waits on it."""
    import threading

    from django.db import connection, connections

    from enablement.usage import stages
    from tests.waiting import wait_until

    small_counted, big_waits = threading.Event(), threading.Event()

    def held_after(real):
        def write(*args):
            done = real(*args)
            if threading.current_thread().name == "small" and not small_counted.is_set():
                small_counted.set()  # the small batch holds the first count row it wrote
                big_waits.wait(10)
            return done

        return write

    monkeypatch.setattr(services, "use_counts_add", held_after(services.use_counts_add))
    monkeypatch.setattr(stages, "stage_uses_add", held_after(stages.stage_uses_add))
    errors = {}

    def run(name, batch):
        try:
            usage_record_many(events=batch)
        except BaseException as exc:
            errors[name] = exc
        finally:
            connection.close()

    small = threading.Thread(target=run, args=("small", [ev(world, "s-1", days=2)]), name="small")
    big_batch = [ev(world, f"b-{n:03}", days=2 + n / 1000) for n in range(COPY_FROM)]
    big = threading.Thread(target=run, args=("big", big_batch), name="big")
    small.start()
    assert small_counted.wait(10)
    big.start()
    try:
        with connection.cursor() as cursor:

            def big_blocked():
                cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE NOT granted")
                return cursor.fetchone()[0]

            wait_until(big_blocked, seconds=10, what="the big batch to wait on the small one", every=0.05)
    finally:
        big_waits.set()
        small.join(30)
        big.join(30)
        connections.close_all()
    assert not errors, {k: f"{type(v).__name__}: {v}" for k, v in errors.items()}
    assert UsageEvent.objects.count() == 2 + COPY_FROM
    assert {k: snapshot([])[k] for k in ("use counts", "stage uses")} == recount()


@pytest.mark.django_db(transaction=True)
def test_big_batches_at_once_on_the_same_assets_and_ids_count_each_use_once(world):
    """Two clients send overlapping big batches (some event_ids in both, the assets in opposite orders)
    at once, a few rounds: every batch commits, and the stored counts equal a recount."""
    import random
    import threading

    from django.db import connection

    extra = [AssetFactory(slug=f"a-{n}") for n in range(6)]
    world.update({a.slug: a for a in extra})
    slugs = ["roi", "deck", *(a.slug for a in extra)]
    errors = []

    def run(batch, barrier):
        try:
            barrier.wait(10)
            usage_record_many(events=batch)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    rng = random.Random(7)
    for round_ in range(4):
        shared = [f"r{round_}-shared-{n:03}" for n in range(30)]
        batches = []
        for who, order in (("a", slugs), ("b", slugs[::-1])):
            ids = shared + [f"r{round_}-{who}-{n:03}" for n in range(40)]
            rng.shuffle(ids)
            batches.append(
                [
                    ev(
                        world,
                        i,
                        asset=order[k % len(order)] if "shared" not in i else "roi",
                        days=2 + k / 1000,
                    )
                    for k, i in enumerate(ids)
                ]
            )
        # a shared id must carry the same content in both batches
        for b in batches:
            for e in b:
                if "shared" in e["event_id"]:
                    e["occurred_at"] = START + timedelta(days=2, seconds=int(e["event_id"][-3:]))
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(b, barrier)) for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors, [f"{type(e).__name__}: {e}" for e in errors]
    assert UsageEvent.objects.count() == 1 + 4 * (30 + 80)
    assert {k: snapshot([])[k] for k in ("use counts", "stage uses")} == recount()
