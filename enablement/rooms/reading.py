"""The buyer's reading: the events a room's page sends (which page of which asset, for how long)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assets.audience import for_buyers
from enablement import webhook_events
from enablement.rooms.alerts import visit_announce
from enablement.rooms.models import DealRoom, PageView, Visit
from enablement.rooms.selectors import has_pages, page_total
from enablement.rooms.summaries import summary_queue
from enablement.rooms.visits import in_sitting, visit_resume

# Bounds that keep one page (or a script posing as one) from filling the database.
MAX_EVENTS_PER_REQUEST = 200
MAX_EVENTS_PER_VISIT = 5000
MAX_PAGES_PER_VISIT = 2000
MAX_PAGE = 10000
# A page's seconds can never exceed the visit's age; a little slack for clocks and late batches.
SECONDS_SLACK = 30
EVENT_KINDS = ("start", "page", "end")


@dataclass(frozen=True)
class EventsOutcome:
    accepted: int
    pages: int
    ended: bool


def _number(value, name: str, index: int, *, low: float, high: float, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValidationError({f"[{index}].{name}": f"{name} must be a number."})
    if integer and int(value) != value:
        raise ValidationError({f"[{index}].{name}": f"{name} must be a whole number."})
    if not low <= value <= high:
        raise ValidationError({f"[{index}].{name}": f"{name} must be between {low:g} and {high:g}."})
    return value


def _event_time(value, index: int) -> datetime:
    """`at` is an ISO 8601 time with a zone or milliseconds since the epoch (Date.now())."""
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value) if len(value) <= 40 else None
        except ValueError:  # well formed but impossible: 30 February, hour 25, offset +99:00
            parsed = None
        if parsed is not None and timezone.is_aware(parsed):
            return parsed
    elif isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 10**14:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    raise ValidationError({f"[{index}].at": "at must be an ISO 8601 time with a zone, or milliseconds."})


def _clean_events(room: DealRoom, visit: Visit, events: list, now: datetime) -> list[dict]:
    if not isinstance(events, list):
        raise ValidationError({"events": "Send a JSON list of events."})
    if len(events) > MAX_EVENTS_PER_REQUEST:
        raise ValidationError({"events": f"Send at most {MAX_EVENTS_PER_REQUEST} events at once."})
    # Each asset the buyer may read with its last page: the pages of what the viewer shows (a deck's
    # slides through its rendition; the general bound when they cannot be counted); anything else is
    # shown as one page.
    last_page = {
        item.asset_id: (page_total(item.asset) or MAX_PAGE) if has_pages(item.asset) else 1
        for item in room.items.filter(for_buyers("asset__")).select_related(
            "asset__current_version__rendition"
        )
    }
    longest = (now - visit.started_at).total_seconds() + SECONDS_SLACK
    cleaned = []
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise ValidationError({f"[{index}]": "Each event is a JSON object."})
        if event.get("visit") != visit.key:
            raise ValidationError({f"[{index}].visit": "Every event in a batch names the same visit."})
        kind = event.get("kind")
        if kind not in EVENT_KINDS:
            raise ValidationError({f"[{index}].kind": f"kind must be one of {', '.join(EVENT_KINDS)}."})
        _event_time(event.get("at"), index)
        clean = {"kind": kind}
        if kind == "page":
            asset = event.get("asset")
            if not isinstance(asset, int) or isinstance(asset, bool) or asset not in last_page:
                raise ValidationError({f"[{index}].asset": "This asset is not in this room."})
            clean["asset"] = asset
            clean["page"] = int(
                _number(event.get("page"), "page", index, low=1, high=last_page[asset], integer=True)
            )
            # Seconds are the page's running total in this visit, so a replayed or late batch
            # changes nothing: the stored figure is the largest total seen.
            clean["seconds"] = min(
                float(_number(event.get("seconds"), "seconds", index, low=0, high=10**7)), max(longest, 0)
            )
        cleaned.append(clean)
    return cleaned


@transaction.atomic
def events_record(*, room: DealRoom, visit_key: str, events: list) -> EventsOutcome:
    """Record a batch of reading events for one visit of this room.

    Only a live room takes events, only for its own visits, only for assets in it; a batch is taken
    whole or refused whole (ValidationError naming the event and field). Page events carry the page's
    running total of visible seconds, so replays and reordering count once. A visit takes at most
    MAX_EVENTS_PER_VISIT events and MAX_PAGES_PER_VISIT pages. The first `end` closes the visit and
    queues its summary email.
    """
    if reason := room.unavailable_reason():
        raise ValidationError(f"This room is no longer live ({reason}).")
    visit = Visit.objects.select_for_update().filter(key=str(visit_key)[:64], room=room).first()
    if visit is None:
        raise ValidationError({"visit": "No such visit in this room."})
    now = timezone.now()
    if visit.ended_at is not None and not Visit.objects.filter(in_sitting(now), pk=visit.pk).exists():
        raise ValidationError({"visit": "This visit has ended; reload the page to start another."})
    cleaned = _clean_events(room, visit, events, now)
    if visit.ended_at is not None and any(e["kind"] == "start" for e in cleaned):
        # A page back from the browser's cache (Back, Forward) after it said goodbye starts again:
        # within the sitting the visit goes on. A batch without a start is the goodbye's own late
        # beacon (beacons may arrive out of order): its seconds count and the visit stays ended.
        visit_resume(visit=visit, now=now)
    if visit.events + len(cleaned) > MAX_EVENTS_PER_VISIT:
        raise ValidationError({"events": f"A visit takes at most {MAX_EVENTS_PER_VISIT} events."})
    totals: dict[tuple[int, int], float] = {}
    for event in cleaned:
        if event["kind"] == "page":
            key = (event["asset"], event["page"])
            totals[key] = max(totals.get(key, 0.0), event["seconds"])
    existing = {(a, p): s for a, p, s in visit.page_views.values_list("asset_id", "page", "seconds")}
    new = [key for key in totals if key not in existing]
    # One page is visible at a time: all pages together cannot gain more than the visit has lasted.
    budget = max((now - visit.started_at).total_seconds() + SECONDS_SLACK - sum(existing.values()), 0.0)
    for key, seconds in totals.items():
        gain = min(max(seconds - existing.get(key, 0.0), 0.0), budget)
        budget -= gain
        totals[key] = existing.get(key, 0.0) + gain
    if len(existing) + len(new) > MAX_PAGES_PER_VISIT:
        raise ValidationError({"events": f"A visit records at most {MAX_PAGES_PER_VISIT} pages."})
    PageView.objects.bulk_create(
        [PageView(visit=visit, asset_id=a, page=p, seconds=0) for a, p in new], ignore_conflicts=True
    )
    for (asset_id, page), seconds in totals.items():
        PageView.objects.filter(visit=visit, asset_id=asset_id, page=page).update(
            seconds=Greatest(F("seconds"), seconds)
        )
    ended = any(e["kind"] == "end" for e in cleaned)
    changes = {"last_seen_at": now, **({"ended_at": now} if ended else {})}
    # The first accepted batch confirms the visit. The claim is one conditional UPDATE, so of two
    # first batches at once (the row lock aside, which SQLite lacks) only one finds events = 0.
    confirms = bool(cleaned) and visit.events == 0
    if confirms and Visit.objects.filter(pk=visit.pk, events=0).update(events=len(cleaned), **changes):
        visit_announce(room=room, visit=visit, now=now)
        webhook_events.room_visit_started(visit)
    else:
        Visit.objects.filter(pk=visit.pk).update(events=F("events") + len(cleaned), **changes)
    if ended:
        summary_queue(visit)
    return EventsOutcome(accepted=len(cleaned), pages=len(totals), ended=ended)
