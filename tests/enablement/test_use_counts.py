""" "Most used" reads a count stored on each asset: the usage write path adds to it, and a recount
(an import, a deletion, the nightly task) sets it from the events, so both must agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from assets.models import Asset, FunnelStage
from config.celery_app import app as celery_app
from enablement.deals.history import deal_stage_change
from enablement.usage.counts import usage_counts_refresh
from enablement.usage.models import AssetStageUses, UsageEvent
from enablement.usage.services import usage_delete, usage_record, usage_record_many
from enablement.usage.tasks import usage_counts_recount
from tests.enablement.importing import FIXTURES, import_crm
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db
NATIVE = str(FIXTURES / "native")


def stage(slug: str) -> FunnelStage:
    return FunnelStage.objects.get(slug=slug)


def stored(*assets: Asset) -> list[int]:
    return [Asset.objects.get(pk=a.pk).use_count for a in assets]


def test_recorded_uses_count_once_each_and_a_recount_agrees(rep):
    deck, sheet, unused = AssetFactory(), AssetFactory(), AssetFactory()
    deal = DealFactory(owner=rep)
    usage_record(event_id="u1", asset=deck, deal=deal, rep=rep, action="viewed")
    usage_record(event_id="u1", asset=deck, deal=deal, rep=rep, action="viewed")  # sent again: a duplicate
    row = {"deal_id": deal.pk, "rep_id": rep.pk, "action": "shared", "source": "api"}
    usage_record_many(
        events=[
            {**row, "event_id": "b1", "asset_id": deck.pk},
            {**row, "event_id": "b2", "asset_id": sheet.pk},
            {**row, "event_id": "b3", "asset_id": deck.pk},
            {**row, "event_id": "b3", "asset_id": deck.pk},  # the same event twice in a batch
        ]
    )
    assert stored(deck, sheet, unused) == [3, 1, 0]
    usage_counts_refresh()
    assert stored(deck, sheet, unused) == [3, 1, 0]


def test_a_recount_takes_away_the_uses_of_a_deleted_deal(rep):
    deck = AssetFactory()
    kept, deleted = DealFactory(owner=rep), DealFactory(owner=rep)
    usage_record(event_id="k", asset=deck, deal=kept, rep=rep, action="viewed")
    usage_record(event_id="d", asset=deck, deal=deleted, rep=rep, action="viewed")
    deleted.delete()
    assert UsageEvent.objects.filter(asset=deck).count() == 1
    usage_counts_refresh(asset_ids={deck.pk})
    assert stored(deck) == [1]


def test_the_nightly_recount_sets_drifted_counts_right_in_all_and_at_each_stage(rep):
    deck = AssetFactory(title="Deck")
    deal = DealFactory(owner=rep)
    deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=timezone.now() - timedelta(days=3))
    usage_record(event_id="a", asset=deck, deal=deal, rep=rep, action="viewed")
    Asset.objects.filter(pk=deck.pk).update(use_count=7)  # as if events had gone by another way
    AssetStageUses.objects.filter(asset=deck).update(uses=5)
    usage_counts_recount.delay()
    assert stored(deck) == [1]
    assert at_stages() == {("Deck", "discovery"): 1} == recounted()


def test_beat_sends_the_recount_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["recount-stored-uses-nightly"]
    assert entry["schedule"] == crontab(hour=2, minute=0)
    celery_app.loader.import_default_modules()  # what a worker does when it starts: discover tasks
    assert entry["task"] in celery_app.tasks


# Per stage: the suggestions' peer use (AssetStageUses), kept by the same write path.


def at_stages() -> dict[tuple[str, str], int]:
    """The stored per-stage counts, by (asset title, stage slug), leaving out counts of 0."""
    rows = AssetStageUses.objects.filter(uses__gt=0).values_list("asset__title", "stage__slug", "uses")
    return {(asset, stage): n for asset, stage, n in rows}


def recounted() -> dict[tuple[str, str], int]:
    rows = (
        UsageEvent.objects.filter(stage__isnull=False)
        .order_by()
        .values_list("asset__title", "stage__slug")
        .annotate(n=Count("pk"))
    )
    return {(asset, stage): n for asset, stage, n in rows}


def test_uses_count_at_their_deals_stage_and_move_when_earlier_history_arrives_later(rep):
    deck = AssetFactory(title="Deck")
    deal = DealFactory(owner=rep)
    start = timezone.now() - timedelta(days=10)
    deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=start)
    for n, days in enumerate([1, 6, 8]):
        at = start + timedelta(days=days)
        usage_record(event_id=f"u{n}", asset=deck, deal=deal, rep=rep, action="viewed", occurred_at=at)
    assert at_stages() == {("Deck", "discovery"): 3}
    # The CRM sends, late, that the deal reached Proposal on day 5: the two later uses were there.
    deal_stage_change(deal=deal, stage=stage("proposal"), entered_at=start + timedelta(days=5))
    assert at_stages() == {("Deck", "discovery"): 1, ("Deck", "proposal"): 2} == recounted()


def test_a_batch_counts_each_new_use_once_at_its_stage(rep):
    """60 events: PostgreSQL inserts them by COPY, stages set as they go in; SQLite one INSERT."""
    deck, sheet = AssetFactory(title="Deck"), AssetFactory(title="Sheet")
    deal = DealFactory(owner=rep)
    start = timezone.now() - timedelta(days=10)
    deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=start)
    deal_stage_change(deal=deal, stage=stage("proposal"), entered_at=start + timedelta(days=5))
    row = {"deal_id": deal.pk, "rep_id": rep.pk, "action": "shared", "source": "api"}
    events = [
        {
            **row,
            "event_id": f"b{n}",
            "asset_id": (deck if n % 3 else sheet).pk,
            "occurred_at": start + timedelta(days=1 + n % 2 * 5, minutes=n),
        }
        for n in range(60)
    ]
    usage_record_many(events=events)
    usage_record_many(events=events[:10])  # sent again: duplicates, not counted again
    assert at_stages() == recounted()
    assert sum(at_stages().values()) == 60 and at_stages()[("Sheet", "proposal")] == 10


def test_a_batch_of_uses_on_deals_with_and_without_history_counts_them_in_all_and_at_stages_known(rep):
    deck, sheet = AssetFactory(title="Deck"), AssetFactory(title="Sheet")
    staged, bare = DealFactory(owner=rep), DealFactory(owner=rep)  # no history: its uses have no stage
    deal_stage_change(deal=staged, stage=stage("discovery"), entered_at=timezone.now() - timedelta(days=3))
    row = {"rep_id": rep.pk, "action": "shared", "source": "api"}
    usage_record_many(
        events=[
            {
                **row,
                "event_id": f"m{n}",
                "deal_id": (staged if n % 2 else bare).pk,
                "asset_id": (deck if n % 3 else sheet).pk,
            }
            for n in range(60)
        ]
    )
    assert stored(deck, sheet) == [40, 20]
    assert at_stages() == {("Deck", "discovery"): 20, ("Sheet", "discovery"): 10} == recounted()


def test_deleted_uses_leave_their_stage_counts_and_a_recount_sets_drifted_ones_right(rep):
    deck, sheet = AssetFactory(title="Deck"), AssetFactory(title="Sheet")
    deal = DealFactory(owner=rep)
    deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=timezone.now() - timedelta(days=3))
    for n, asset in enumerate([deck, deck, sheet]):
        usage_record(event_id=f"u{n}", asset=asset, deal=deal, rep=rep, action="viewed")
    usage_delete(events=UsageEvent.objects.filter(event_id="u0"))
    assert at_stages() == {("Deck", "discovery"): 1, ("Sheet", "discovery"): 1}
    AssetStageUses.objects.filter(asset=sheet).update(uses=9)  # as if events had gone by another way
    AssetStageUses.objects.create(asset=deck, stage=stage("proposal"), uses=4)
    usage_counts_refresh()
    assert at_stages() == {("Deck", "discovery"): 1, ("Sheet", "discovery"): 1} == recounted()


def all_uses() -> dict[str, int]:
    return dict(Asset.objects.filter(use_count__gt=0).values_list("slug", "use_count"))


def recounted_in_all() -> dict[str, int]:
    return dict(UsageEvent.objects.order_by().values_list("asset__slug").annotate(n=Count("pk")))


def test_an_import_counts_its_uses_in_all_and_at_the_stages_its_history_gives(tmp_path):
    import_crm("native", NATIVE)
    assert at_stages() == recounted() != {}
    assert all_uses() == recounted_in_all() != {}
    # Imported again with one event more: the unchanged rows are not counted twice.
    lines = (FIXTURES / "native" / "usage.csv").read_text().splitlines()
    extra = lines[1].replace("u-1,", "u-new,", 1)
    (tmp_path / "usage.csv").write_text("\n".join([*lines, extra]) + "\n")
    import_crm("native", str(tmp_path))
    assert at_stages() == recounted()
    assert all_uses() == recounted_in_all()
    assert sum(all_uses().values()) == len(lines)  # the header's place taken by the new event


def test_history_imported_later_moves_the_imported_uses_between_stage_counts(tmp_path):
    import_crm("native", NATIVE)
    assert {stage for _, stage in at_stages()} == {
        "proposal",
        "discovery",
        "technical-validation",
        "negotiation",
    }
    # N-2 went back to Proposal before its use on 11 February: that use was at Proposal after all.
    (tmp_path / "stage_history.csv").write_text(
        "deal_id,stage,entered_at\nN-2,proposal,2025-02-10T12:00:00Z\n"
    )
    import_crm("native", str(tmp_path))
    assert UsageEvent.objects.get(event_id="u-3").stage.slug == "proposal"
    assert at_stages() == recounted()
    assert {stage for _, stage in at_stages()} == {"proposal", "discovery", "negotiation"}
