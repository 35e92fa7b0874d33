"""The rules of deals, history, usage and share links, as the services keep them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assets.models import FunnelStage
from enablement.choices import UsageSource
from enablement.deals.history import deal_stage_change, deals_state_recompute
from enablement.deals.services import deal_upsert
from enablement.models import Deal, ShareView, UsageEvent
from enablement.sharing.services import share_link_create, share_link_revoke, share_view_record
from enablement.usage.services import usage_record
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def stage(slug: str) -> FunnelStage:
    return FunnelStage.objects.get(slug=slug)


def use(deal, when, event_id="e-1", asset=None):
    asset = asset or AssetFactory()
    event, _ = usage_record(
        event_id=event_id, asset=asset, deal=deal, rep=deal.owner, action="presented", occurred_at=when
    )
    return event


def test_current_stage_is_the_stage_of_the_latest_history_row_even_when_an_older_row_arrives_late():
    deal = DealFactory()
    deal_stage_change(deal=deal, stage=stage("proposal"), entered_at=at(10))
    deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=at(2))
    deal.refresh_from_db()
    assert deal.current_stage.slug == "proposal"
    assert [c.stage.slug for c in deal.stage_changes.all()] == ["discovery", "proposal"]


def test_entering_a_won_stage_closes_the_deal_and_returning_to_an_open_stage_reopens_it():
    deal = DealFactory()
    deal_stage_change(deal=deal, stage=stage("closed-won"), entered_at=at(5))
    assert deal.closed_at == at(5) and not deal.is_open
    deal_stage_change(deal=deal, stage=stage("negotiation"), entered_at=at(9))
    assert deal.closed_at is None and deal.current_stage.slug == "negotiation"


def test_usage_gets_the_deals_stage_at_that_moment():
    deal = DealFactory()
    deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=at(1))
    deal_stage_change(deal=deal, stage=stage("proposal"), entered_at=at(10))
    assert use(deal, at(5), "early").stage.slug == "discovery"
    assert use(deal, at(12), "late").stage.slug == "proposal"


def test_usage_recorded_before_its_history_arrives_gets_its_stage_when_history_comes():
    deal = DealFactory()
    event = use(deal, at(5))
    assert event.stage is None
    deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=at(1))
    event.refresh_from_db()
    assert event.stage.slug == "discovery"
    # A stage entered between the first row and the event, arriving last, moves the event to it.
    deal_stage_change(deal=deal, stage=stage("proposal"), entered_at=at(4))
    event.refresh_from_db()
    assert event.stage.slug == "proposal"


def test_history_arriving_after_an_event_does_not_change_its_stage():
    deal = DealFactory()
    deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=at(1))
    event = use(deal, at(5))
    deal_stage_change(deal=deal, stage=stage("proposal"), entered_at=at(8))
    event.refresh_from_db()
    assert event.stage.slug == "discovery"


def test_a_usage_event_sent_twice_is_recorded_once():
    deal, asset = DealFactory(), AssetFactory()
    first, created = usage_record(
        event_id="same", asset=asset, deal=deal, rep=deal.owner, action="viewed", occurred_at=at(3)
    )
    again, created_again = usage_record(
        event_id="same", asset=asset, deal=deal, rep=deal.owner, action="viewed", occurred_at=at(3)
    )
    assert created and not created_again and first.pk == again.pk
    assert UsageEvent.objects.count() == 1


def test_usage_records_the_assets_current_version():
    asset = AssetFactory()
    from django.core.files.base import ContentFile

    from assets.services import asset_version_add

    version = asset_version_add(asset=asset, file=ContentFile(b"x", name="a.pdf"))
    assert use(DealFactory(), at(3), asset=asset).asset_version == version


def test_usage_with_an_unknown_action_or_a_naive_time_is_refused():
    deal, asset = DealFactory(), AssetFactory()
    with pytest.raises(ValidationError, match="Unknown action"):
        usage_record(event_id="x", asset=asset, deal=deal, rep=None, action="printed")
    with pytest.raises(ValidationError, match="time zone"):
        usage_record(
            event_id="y", asset=asset, deal=deal, rep=None, action="viewed", occurred_at=datetime(2025, 1, 1)
        )
    assert not UsageEvent.objects.exists()


def test_a_history_row_sent_again_is_a_no_op_and_a_rewrite_is_refused():
    deal = DealFactory()
    deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=at(1), external_id="H1")
    _, created = deal_stage_change(deal=deal, stage=stage("discovery"), entered_at=at(1), external_id="H1")
    assert not created
    with pytest.raises(ValidationError, match="never rewritten"):
        deal_stage_change(deal=deal, stage=stage("proposal"), entered_at=at(1), external_id="H1")
    assert deal.stage_changes.count() == 1


def test_deal_upsert_updates_by_the_sources_id_and_refuses_a_negative_amount():
    deal, created = deal_upsert(source="api", external_id="X1", name="First")
    same, created_again = deal_upsert(source="api", external_id="X1", name="Renamed")
    assert created and not created_again and same.pk == deal.pk and same.name == "Renamed"
    with pytest.raises(ValidationError, match="negative"):
        deal_upsert(source="api", external_id="X2", name="Bad", amount=-1)


def test_share_link_is_unguessable_and_counts_as_the_rep_sharing_the_asset():
    deal, asset = DealFactory(), AssetFactory()
    deal_stage_change(deal=deal, stage=stage("proposal"), entered_at=timezone.now() - timedelta(days=1))
    link = share_link_create(asset=asset, deal=deal, by=deal.owner)
    other = share_link_create(asset=asset, deal=deal, by=deal.owner)
    assert len(link.token) >= 40 and link.token != other.token
    event = UsageEvent.objects.get(event_id=f"share-link-{link.pk}")
    assert (event.action, event.source, event.rep, event.stage.slug) == (
        "shared",
        UsageSource.SHARE_LINK,
        deal.owner,
        "proposal",
    )


def test_an_unpublished_asset_cannot_be_shared():
    with pytest.raises(ValidationError, match="not published"):
        share_link_create(asset=AssetFactory(draft=True), deal=DealFactory(), by=None)


def test_buyer_views_keep_a_hash_of_the_address_never_the_address():
    deal = DealFactory()
    link = share_link_create(asset=AssetFactory(), deal=deal, by=deal.owner)
    view = share_view_record(link=link, key="page-load-1", viewer_address="203.0.113.7")
    share_view_record(link=link, key="page-load-2", viewer_address="203.0.113.7")
    assert "203.0.113.7" not in view.viewer_hash and len(view.viewer_hash) == 64
    assert ShareView.objects.values("viewer_hash").distinct().count() == 1


def test_an_expired_or_withdrawn_link_records_no_view():
    deal = DealFactory()
    link = share_link_create(asset=AssetFactory(), deal=deal, by=deal.owner, days=1)
    with pytest.raises(ValidationError, match="expired"):
        share_view_record(link=link, key="k", viewer_address="x", at=timezone.now() + timedelta(days=2))
    share_link_revoke(link=link)
    with pytest.raises(ValidationError, match="withdrawn"):
        share_view_record(link=link, key="k", viewer_address="x")
    assert not ShareView.objects.exists()


def test_recomputing_the_state_of_no_deals_changes_nothing():
    deal = DealFactory()
    before = Deal.objects.values_list("pk", "current_stage_id", "closed_at").get(pk=deal.pk)
    deals_state_recompute(Deal.objects.filter(pk__in=[]))
    assert Deal.objects.values_list("pk", "current_stage_id", "closed_at").get(pk=deal.pk) == before
