""" "Most used" reads a count stored on each asset: the usage write path adds to it, and a recount
(every full analytics run, an import, the demo) sets it from the events, so both must agree."""

from __future__ import annotations

import pytest

from assets.models import Asset
from enablement.usage.counts import usage_counts_refresh
from enablement.usage.models import UsageEvent
from enablement.usage.services import usage_record, usage_record_many
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db


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


def test_an_analytics_run_sets_a_drifted_count_right_once_it_commits(rep, django_capture_on_commit_callbacks):
    from enablement.analytics.engine import analytics_compute

    deck = AssetFactory()
    usage_record(event_id="a", asset=deck, deal=DealFactory(owner=rep), rep=rep, action="viewed")
    Asset.objects.filter(pk=deck.pk).update(use_count=7)  # as if events had gone by another way
    with django_capture_on_commit_callbacks(execute=True):
        analytics_compute()
    assert stored(deck) == [1]
