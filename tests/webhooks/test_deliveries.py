"""Every webhook event reaches a real local receiver through the outbox, signed, and after two answers of
500 exactly one delivery of each event succeeds."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from assets.choices import AssetStatus
from assets.reviews import review_reminders_send
from assets.services import asset_publish
from config.webhooks import attempts, services
from config.webhooks.models import Delivery, DeliveryStatus
from enablement.analytics.engine import analytics_compute
from enablement.buyers.services import profile_approve, profile_propose
from enablement.choices import UsageAction
from enablement.rooms import reading
from enablement.rooms.models import Visit
from enablement.sharing.services import share_link_create, share_view_record
from enablement.usage.services import usage_record, usage_record_many
from tests.enablement.rooms.conftest import make_room, page_event, visit_read
from tests.factories import AssetFactory, DealFactory
from tests.waiting import wait_until
from tests.webhooks.receiver import Receiver

ALL_EVENTS = [
    "room.visit_started",
    "room.visit_ended",
    "share.viewed",
    "asset.published",
    "asset.review_due",
    "usage.recorded",
    "analytics.computed",
    "profile.approved",
]
SECRET = "whsec-test-secret"


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    settings.WEBHOOK_RETRY_SECONDS = 0  # retries due at once, so the test need not wait a minute
    with Receiver(secret=SECRET) as running:
        yield running


def _every_event_happens(rep, marketer, admin_user) -> None:
    deal = DealFactory(owner=rep, name="Initech rollout")
    draft = AssetFactory(
        title="Pricing sheet", status=AssetStatus.DRAFT, external_url="https://example.com/p"
    )
    asset_publish(asset=draft, by=marketer)
    AssetFactory(title="Old deck", review_by=timezone.localdate() - timedelta(days=3), owner=marketer)
    review_reminders_send(today=timezone.localdate())
    shown = AssetFactory(title="Security overview")
    link = share_link_create(asset=shown, deal=deal, by=rep)  # also usage.recorded
    share_view_record(link=link, key="page-load-1", viewer_address="203.0.113.7")
    room = make_room(rep=rep, deal=deal, assets=[shown])
    visit = visit_read(room, email="buyer@initech.example")
    reading.events_record(
        room=room,
        visit_key=visit.key,
        events=[page_event(visit.key, shown, 1, 42.5), page_event(visit.key, None, None, 0, "end")],
    )
    usage_record(event_id="crm-1", asset=shown, deal=deal, rep=rep, action=UsageAction.PRESENTED)
    profile = profile_propose(by=marketer, summary="Mid-size software companies")
    profile_approve(profile=profile, by=admin_user, rescore=False)
    analytics_compute()


def _retry_until_settled(capture) -> None:
    for _ in range(5):
        with capture(execute=True):
            services.deliveries_due_send(now=timezone.now() + timedelta(seconds=1))


def test_each_event_is_delivered_once_after_two_failures(
    receiver, rep, marketer, admin_user, django_capture_on_commit_callbacks
):
    services.endpoint_add(url=receiver.url, events=ALL_EVENTS, secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        _every_event_happens(rep, marketer, admin_user)
    _retry_until_settled(django_capture_on_commit_callbacks)

    assert receiver.bad_signatures == 0
    assert {event["type"] for event in receiver.delivered} == set(ALL_EVENTS)
    ids = [event["id"] for event in receiver.delivered]
    assert len(ids) == len(set(ids)), "an event was delivered successfully more than once"
    assert all(count == 3 for count in receiver.attempts.values())
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {3}
    assert all([entry["code"] for entry in d.log] == [500, 500, 200] for d in Delivery.objects.all())


def test_a_visit_that_ended_reports_seconds_per_asset(receiver, rep, django_capture_on_commit_callbacks):
    receiver.failures = 0
    services.endpoint_add(url=receiver.url, events=["room.visit_ended"], secret=SECRET)
    deal = DealFactory(owner=rep)
    first, second = AssetFactory(title="Proposal"), AssetFactory(title="Case study")
    room = make_room(rep=rep, deal=deal, assets=[first, second])
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_read(room, email="cfo@initech.example")
        # The page has been open ten minutes: seconds are capped at the visit's length so far.
        Visit.objects.filter(pk=visit.pk).update(started_at=timezone.now() - timedelta(minutes=10))
        reading.events_record(
            room=room,
            visit_key=visit.key,
            events=[
                page_event(visit.key, first, 1, 45),
                page_event(visit.key, second, 1, 5),
                page_event(visit.key, None, None, 0, "end"),
            ],
        )
    (event,) = receiver.delivered
    assert set(event) == {"id", "type", "created_at", "data"}
    assert event["data"]["viewer"] == "cfo@initech.example"
    assert event["data"]["assets"] == [
        {"slug": first.slug, "title": "Proposal", "seconds": 45.0},
        {"slug": second.slug, "title": "Case study", "seconds": 5.0},
    ]
    assert event["data"]["room"]["deal"]["deal_id"] == deal.external_id


def test_nothing_is_sent_for_a_write_that_rolls_back(receiver, marketer, django_capture_on_commit_callbacks):
    services.endpoint_add(url=receiver.url, events=["asset.published"], secret=SECRET)
    draft = AssetFactory(status=AssetStatus.DRAFT, external_url="https://example.com/x")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        asset_publish(asset=draft, by=marketer)
    assert callbacks, "the delivery waits for the commit"
    assert receiver.attempts == {}


def test_retries_stop_after_about_a_day(settings, receiver, marketer, django_capture_on_commit_callbacks):
    settings.WEBHOOK_RETRY_SECONDS = 60
    receiver.failures = 10_000
    services.endpoint_add(url=receiver.url, events=["asset.published"], secret=SECRET)
    draft = AssetFactory(status=AssetStatus.DRAFT, external_url="https://example.com/x")
    with django_capture_on_commit_callbacks(execute=True):
        asset_publish(asset=draft, by=marketer)
    delivery = Delivery.objects.get()
    tried_at = []
    while delivery.status == DeliveryStatus.PENDING:
        tried_at.append(delivery.next_attempt_at)
        delivery = attempts.delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    assert delivery.status == DeliveryStatus.FAILED
    waits = [later - earlier for earlier, later in itertools.pairwise(tried_at)]
    assert waits[:3] == [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert max(waits) == timedelta(hours=4)
    assert timedelta(hours=20) < tried_at[-1] - delivery.retrying_since <= timedelta(hours=24)
    assert delivery.attempts == len(tried_at) + 1 == sum(receiver.attempts.values())


@pytest.mark.celery_worker
def test_a_real_worker_delivers_through_the_outbox_after_the_commit(receiver, marketer, celery_worker):
    """With Redis and a worker: the delivery is published from the outbox once the publish commits,
    fails twice, and is sent again by the due-sender until the receiver takes it, once."""
    from django.db import transaction

    services.endpoint_add(url=receiver.url, events=["asset.published"], secret=SECRET)
    draft = AssetFactory(status=AssetStatus.DRAFT, external_url="https://example.com/x")
    with transaction.atomic():
        asset_publish(asset=draft, by=marketer)
        assert Delivery.objects.get().status == DeliveryStatus.PENDING

    def delivered() -> bool:
        services.deliveries_due_send()  # what beat sends every minute
        return Delivery.objects.filter(status=DeliveryStatus.DELIVERED).exists()

    # Delivered: the worker recorded the receiver's 200, so no attempt is left to come.
    wait_until(delivered, seconds=60, what="the delivery to be delivered", every=0.5)
    assert [event["type"] for event in receiver.delivered] == ["asset.published"]
    assert sum(receiver.attempts.values()) == 3
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        3,
        200,
    )


def test_a_big_batch_lists_its_first_hundred_uses_by_time_and_counts_all(
    receiver, rep, django_capture_on_commit_callbacks
):
    services.endpoint_add(url=receiver.url, events=["usage.recorded"], secret=SECRET)
    deal, asset = DealFactory(owner=rep), AssetFactory()
    start = timezone.now() - timedelta(days=1)
    events = [
        {
            "event_id": f"batch-{n:03}",
            "deal_id": deal.pk,
            "asset_id": asset.pk,
            "rep_id": rep.pk,
            "action": UsageAction.SHARED,
            "occurred_at": start + timedelta(minutes=150 - n),  # the last sent occurred first
            "source": "api",
        }
        for n in range(150)
    ]
    with django_capture_on_commit_callbacks(execute=False):
        usage_record_many(events=events)
    data = Delivery.objects.get(event_type="usage.recorded").data
    assert (data["count"], data["listed"]) == (150, 100)
    assert [e["event_id"] for e in data["events"]] == [f"batch-{n:03}" for n in range(149, 49, -1)]
