"""The `read` exposure kind: what buyers read in a deal's rooms, written through the rooms' own services
(with the clock moved to when it happened), crossing and missing the reading threshold and the
landmark, counted by hand; and a refresh after new reading equals a full run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import ReadExposure
from enablement.deals.history import deal_stage_change
from enablement.rooms import reading, services, visits
from tests.enablement.analytics.builders import report
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 3, 3, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def room_of(deal, asset, when: datetime):
    with time_machine.travel(when, tick=False):
        room = services.room_create(deal=deal, by=deal.owner, title="Your evaluation", days=90)
        services.room_item_add(room=room, asset=asset, by=deal.owner)
    return room


def read(room, asset, when: datetime, seconds: float, *, viewer: str = "buyer", end: bool = True) -> str:
    """A buyer's visit as the room's page makes it: opened at `when`, the asset read for `seconds`
    (and closed, unless `end` is False); returns the visit's key."""
    with time_machine.travel(when, tick=False):
        who = visits.viewer_get_or_create(room=room, cookie=viewer)
        visit = visits.visit_continue_or_start(room=room, viewer=who)
    start = [{"visit": visit.key, "kind": "start", "at": when.isoformat()}]
    more(room, visit.key, asset, when + timedelta(seconds=seconds + 2), seconds, end=end, first=start)
    return visit.key


def more(room, key: str, asset, when: datetime, seconds: float, *, end: bool = False, first=()) -> None:
    """The page of a visit going on reports the asset's running total of seconds at `when`."""
    events = [*first, {"visit": key, "kind": "page", "asset": asset.pk, "page": 1, "seconds": seconds}]
    if end:
        events.append({"visit": key, "kind": "end"})
    events = [{"at": when.isoformat(), **e} for e in events]
    with time_machine.travel(when, tick=False):
        reading.events_record(room=room, visit_key=key, events=events)


def deal_at_proposal(name: str, outcome: str | None, day: float):
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    deal = DealFactory(external_id=name, name=name)
    deal_stage_change(deal=deal, stage=stages["proposal"], entered_at=T0)
    return deal, (stages[outcome], at(day)) if outcome else None


def test_read_rows_count_what_buyers_read_before_the_landmark_for_long_enough(settings):
    settings.ANALYTICS_READ_SECONDS = 30
    FunnelStage.objects.filter(slug="proposal").update(landmark_days=5)
    x = AssetFactory(slug="x", published_at=T0 - timedelta(days=100))
    plans = {
        # name: (outcome, resolved on day, visits (day, seconds))
        "enough": ("negotiation", 12, [(1, 31)]),  # exposed, advanced
        "too-short": ("negotiation", 12, [(1, 29)]),  # under the threshold: unexposed, advanced
        "two-visits": ("closed-lost", 12, [(1, 15), (3, 16)]),  # 31 s over two visits: exposed, lost
        "after-landmark": ("closed-lost", 10, [(6, 40)]),  # read only after the landmark: later, lost
        "just-before": (None, 0, [(4.99, 30)]),  # exactly 30 s, just before day 5: exposed, open
        "resolved-early": ("closed-lost", 2, [(1, 35)]),  # lost before the landmark: not at risk
        "split-by-landmark": ("negotiation", 12, [(1, 20), (6, 20)]),  # 40 s in the stay, 20 before: later
    }
    for name, (outcome, day, sittings) in plans.items():
        deal, end = deal_at_proposal(name, outcome, day)
        room = room_of(deal, x, at(0.5))
        for n, (visit_day, seconds) in enumerate(sittings):
            read(room, x, at(visit_day), seconds, viewer=f"{name}-{n}")
        if end:
            deal_stage_change(deal=deal, stage=end[0], entered_at=end[1])
    with time_machine.travel(at(30), tick=False):
        analytics_compute()
    rows = {(r["asset"], r["stage"], r["exposure"]): r for r in report()["assets"]}
    row = rows[("x", "proposal", "read")]
    assert row["exposed"] | {"rate": None, "median_days": None} == {
        "deals": 2, "advanced": 1, "lost": 1, "open": 1, "rate": None, "median_days": None,
    }  # fmt: skip
    assert (row["unexposed"]["deals"], row["unexposed"]["advanced"], row["unexposed"]["lost"]) == (3, 2, 1)
    assert row["used_only_after_landmark"] == 2 and row["verdict"] == "too little data"
    assert row["lift"] == pytest.approx(0.5 - 2 / 3, abs=1e-4)
    # Putting x in each room (day 0.5) was a use of it, so the used row has every deal at risk.
    used = rows[("x", "proposal", "used")]
    assert used["exposed"]["deals"] == 5 and used["exposed"]["open"] == 1
    assert ReadExposure.objects.filter(in_window=True).count() == 3


def test_a_refresh_after_new_reading_equals_a_full_run(settings):
    """Reading reported after a run: a visit begun before the landmark that goes on past the
    threshold (a read before the landmark), and new visits after it (read only later)."""
    from tests.enablement.analytics.test_refresh_attack import same_as_full

    settings.ANALYTICS_READ_SECONDS = 30
    settings.ANALYTICS_REFRESH_OVERLAP = 0
    FunnelStage.objects.filter(slug="proposal").update(landmark_days=5)
    x = AssetFactory(slug="x", published_at=T0 - timedelta(days=100))
    rooms, keys = {}, {}
    for n in range(8):
        deal, _ = deal_at_proposal(f"R-{n}", None, 0)
        rooms[n] = room_of(deal, x, at(0.5))
        keys[n] = read(rooms[n], x, at(4.9), 10, viewer=f"buyer-{n}", end=False)  # under 30 s so far
    with time_machine.travel(at(5.5), tick=False):
        analytics_compute()
    assert not ReadExposure.objects.exists()
    for n in range(4):  # the same visits, begun before the landmark, pass 30 s
        more(rooms[n], keys[n], x, at(5.6), 40)
    for n in range(4, 6):  # new visits after the landmark: 45 s in the stay, 10 s before it
        read(rooms[n], x, at(5.6), 35, viewer=f"buyer-{n}-again")
    with time_machine.travel(at(5.7), tick=False):
        run = analytics_compute(refresh=True)
        assert run.mode == "refresh"
        refreshed = same_as_full("reading reported after the run")
    windows = sorted(r[-1] for r in refreshed["reads"])
    assert windows == [False, False, True, True, True, True]


def test_a_refresh_as_landmarks_pass_and_history_comes_equals_a_full_run(settings):
    """Entries whose landmark passes between runs bring their reading whole; a deal with new history
    has its reading written again."""
    from tests.enablement.analytics.test_refresh_attack import same_as_full

    settings.ANALYTICS_READ_SECONDS = 30
    settings.ANALYTICS_REFRESH_OVERLAP = 0
    FunnelStage.objects.filter(slug="proposal").update(landmark_days=5)
    negotiation = FunnelStage.objects.get(slug="negotiation")
    x = AssetFactory(slug="x", published_at=T0 - timedelta(days=100))
    deals = []
    for n in range(6):
        deal, _ = deal_at_proposal(f"L-{n}", None, 0)
        room = room_of(deal, x, at(0.5))
        read(room, x, at(1 + n / 2), 20 + 5 * n, viewer=f"reader-{n}")  # 20 … 45 s, before the landmark
        deals.append(deal)
    with time_machine.travel(at(4), tick=False):
        analytics_compute()  # no entry at risk yet: the landmark (day 5) has not passed
    assert not ReadExposure.objects.exists()
    with time_machine.travel(at(5.8), tick=False):
        deal_stage_change(deal=deals[5], stage=negotiation, entered_at=at(5.8))
    with time_machine.travel(at(6), tick=False):
        assert analytics_compute(refresh=True).mode == "refresh"
        refreshed = same_as_full("landmarks passed and history came")
    assert sorted(r[-1] for r in refreshed["reads"]) == [True, True, True, True]  # 30, 35, 40, 45 s


def test_deleting_a_read_visit_makes_the_next_run_full_and_a_page_that_never_ran_does_not():
    from enablement.analytics.models import AnalyticsRun
    from enablement.rooms.models import Visit

    x = AssetFactory(slug="x", published_at=T0 - timedelta(days=100))
    deal, _ = deal_at_proposal("V-1", None, 0)
    room = room_of(deal, x, at(0.5))
    read(room, x, at(1), 40, viewer="reader")
    with time_machine.travel(at(2), tick=False):
        never_ran = visits.visit_continue_or_start(
            room=room, viewer=visits.viewer_get_or_create(room=room, cookie="a link preview")
        )
        analytics_compute()
    never_ran.delete()  # the idle sweep's kind: no event, nothing read
    assert AnalyticsRun.objects.get().watermark is not None
    Visit.objects.filter(events__gt=0).delete()  # erased, or past the retention days
    assert AnalyticsRun.objects.get().watermark is None
