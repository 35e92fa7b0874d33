"""The demo's deal rooms and what buyers read in them, written through the rooms' own services as they
would have been written at the time: the clock is moved (time-machine) to the moment the rep made the
room, the buyer opened it, and the buyer's page reported what was read. So the room-item "shared"
uses, the visits' times and the seconds read obey every rule a real room does.

The visits are months old, so the reps would be emailed a summary of each: the demo's reps have
buyer-visit emails off (they turn them on from the home page)."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.contrib.auth.models import User

from assets.audience import internal_refusal
from assets.models import Asset
from enablement.deals.models import Deal
from enablement.demo.planted import Room, Visit
from enablement.rooms import reading, services, visits
from enablement.rooms.models import DealRoom


def seed_reading(plans: list[tuple[Deal, list[Room]]], *, reps: list[User]) -> int:
    """Make the planned rooms and visits of these deals; returns the number of visits."""
    wanted = {a for _, rooms in plans for room in rooms for a in room.asset_ids}
    if not wanted:
        return 0
    for rep in reps:
        services.alert_setting_set(user=rep, email_summaries=False)
    # Internal material (battlecards) never reaches a buyer: the rep leaves it out of the room.
    shareable = {pk: a for pk, a in Asset.objects.in_bulk(wanted).items() if internal_refusal(a) is None}
    count = 0
    for deal, rooms in plans:
        for plan in rooms:
            if not any(a in shareable for a in plan.asset_ids):
                continue
            room = _room(deal, plan, shareable)
            for n, visit in enumerate(plan.visits):
                _visit(room, visit, shareable, viewer=f"demo-buyer-{deal.external_id}-{n % 2}")
                count += 1
    return count


def _room(deal: Deal, plan: Room, assets: dict[int, Asset]) -> DealRoom:
    with time_machine.travel(plan.at, tick=False):
        room = services.room_create(
            deal=deal, by=deal.owner, title=f"{deal.account.name}: your evaluation", days=60
        )
        for asset_id in plan.asset_ids:
            if asset_id in assets:
                services.room_item_add(
                    room=room, asset=assets[asset_id], by=deal.owner, reason="As we discussed"
                )
    return room


def _visit(room: DealRoom, plan: Visit, in_room: dict[int, Asset], *, viewer: str) -> None:
    """A buyer's visit as the page reports it: opened, each asset read for its seconds (a running
    total, page 1 of the demo's one-page files), then closed."""
    with time_machine.travel(plan.at, tick=False):
        who = visits.viewer_get_or_create(room=room, cookie=viewer)
        visit = visits.visit_continue_or_start(room=room, viewer=who)
    done = plan.at + timedelta(seconds=sum(plan.seconds.values()) + 5)
    events = [_event(visit.key, "start", plan.at)]
    events += [
        {**_event(visit.key, "page", done), "asset": asset_id, "page": 1, "seconds": round(seconds, 1)}
        for asset_id, seconds in plan.seconds.items()
        if asset_id in in_room
    ]
    events.append(_event(visit.key, "end", done))
    with time_machine.travel(done, tick=False):
        reading.events_record(room=room, visit_key=visit.key, events=events)


def _event(visit: str, kind: str, at: datetime) -> dict:
    return {"visit": visit, "kind": kind, "at": at.isoformat()}
