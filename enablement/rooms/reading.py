"""The buyer's reading: viewers, visits, the events a page sends, and the summary the rep gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assets.choices import AssetStatus
from config.outbox.services import enqueue
from enablement import webhook_events
from enablement.rooms.gate import cookie_hash
from enablement.rooms.models import (
    BuyerNotification,
    DealRoom,
    PageView,
    Viewer,
    Visit,
)
from enablement.rooms.selectors import is_pdf, pdf_pages
from enablement.rooms.services import emails_wanted

# Bounds that keep one page (or a script posing as one) from filling the database.
MAX_EVENTS_PER_REQUEST = 200
MAX_EVENTS_PER_VISIT = 5000
MAX_PAGES_PER_VISIT = 2000
MAX_PAGE = 10000
# A page's seconds can never exceed the visit's age; a little slack for clocks and late batches.
SECONDS_SLACK = 30
EVENT_KINDS = ("start", "page", "end")
VISIT_IDLE_MINUTES = 30


def viewer_get_or_create(*, room: DealRoom, email: str = "", cookie: str = "") -> Viewer:
    """The room's viewer for a verified email or, without one, for the browser's cookie."""
    lookup = {"email": email.lower()} if email else {"cookie_hash": cookie_hash(room=room, cookie=cookie)}
    if not email and not cookie:
        raise ValueError("A viewer needs a verified email or a cookie.")
    try:
        with transaction.atomic():
            viewer, _ = Viewer.objects.get_or_create(room=room, **lookup)
    except IntegrityError:  # two first requests of one browser at once
        viewer = Viewer.objects.get(room=room, **lookup)
    return viewer


@transaction.atomic
def visit_continue_or_start(*, room: DealRoom, viewer: Viewer, key: str = "") -> Visit:
    """The viewer's visit going on in this room (moving between its pages), or a new one.

    A new visit is unconfirmed: the rep hears of it only when its page's first events arrive
    (`events_record`), so a link preview or mail scanner that fetches the page without running it
    tells the rep nothing, and the idle sweep deletes its visit."""
    if reason := room.unavailable_reason():
        raise ValidationError(f"This room is no longer live ({reason}).")
    now = timezone.now()
    if key:
        going_on = Visit.objects.filter(
            key=key,
            room=room,
            viewer=viewer,
            ended_at__isnull=True,
            last_seen_at__gt=now - timedelta(minutes=VISIT_IDLE_MINUTES),
        ).first()
        if going_on is not None:
            return going_on
    # The viewer's row locked while its visit is written: the idle sweep, which deletes viewers left
    # without a visit, then waits (and fails its round, not this request). Gone already (deleted by
    # the sweep since it was read): the same viewer again.
    if not Viewer.objects.select_for_update().filter(pk=viewer.pk).exists():
        viewer, _ = Viewer.objects.get_or_create(
            room=room, email=viewer.email, cookie_hash=viewer.cookie_hash
        )
    return Visit.objects.create(room=room, viewer=viewer, started_at=now, last_seen_at=now)


def _notification_kind(room: DealRoom, visit: Visit) -> str:
    # Against the room's other confirmed visits only: a bot's fetch before the buyer's first open
    # does not turn it into a "new viewer".
    earlier = Visit.objects.confirmed().filter(room=room).exclude(pk=visit.pk)
    if not earlier.exists():
        return BuyerNotification.Kind.FIRST_OPEN
    if earlier.filter(viewer_id=visit.viewer_id).exists():
        return BuyerNotification.Kind.RETURN_VISIT
    return BuyerNotification.Kind.NEW_VIEWER


def _visit_confirmed(room: DealRoom, visit: Visit, now: datetime) -> None:
    """The visit's first events were accepted: its page ran, so the rep hears of it now."""
    recipient = room.deal.owner or room.created_by
    if recipient is not None:
        # The room's row locked (after the visit's: every path takes them in that order), so two
        # visits confirmed at once are judged one after the other: one first open, not two.
        list(DealRoom.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True))
        # A visit begun before this rule (migration 0010) was notified when it was fetched: that one
        # notification stands, and its first batch is still taken.
        notification = BuyerNotification(
            recipient=recipient, room=room, visit=visit, kind=_notification_kind(room, visit), created_at=now
        )
        BuyerNotification.objects.bulk_create([notification], ignore_conflicts=True)
    webhook_events.room_visit_started(visit)


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
    # Each asset in the room with its last page: a PDF's page count (the general bound when it cannot
    # be read); anything else is shown as one page.
    last_page = {
        item.asset_id: (pdf_pages(item.asset) or MAX_PAGE) if is_pdf(item.asset) else 1
        for item in room.items.filter(asset__status=AssetStatus.PUBLISHED).select_related(
            "asset__current_version"
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
    if visit.ended_at is not None:
        raise ValidationError({"visit": "This visit has ended; reload the page to start another."})
    now = timezone.now()
    cleaned = _clean_events(room, visit, events, now)
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
        _visit_confirmed(room, visit, now)
    else:
        Visit.objects.filter(pk=visit.pk).update(events=F("events") + len(cleaned), **changes)
    if ended:
        _summary_queue(visit)
    return EventsOutcome(accepted=len(cleaned), pages=len(totals), ended=ended)


def _summary_queue(visit: Visit) -> None:
    from enablement.rooms.tasks import visit_summary_send

    enqueue(visit_summary_send, visit.pk)
    webhook_events.room_visit_ended(visit)


def _unconfirmed_delete(idle_since: datetime) -> int:
    """Delete visits whose page never ran (bots, scanners) once idle, and viewers left without a visit."""
    stale = list(
        Visit.objects.select_for_update(skip_locked=True)
        .filter(events=0, last_seen_at__lte=idle_since)
        .values_list("pk", "viewer_id")[:1000]
    )
    # events=0 again (SQLite takes no row lock): a visit a batch confirmed meanwhile is kept.
    _, deleted = Visit.objects.filter(pk__in=[pk for pk, _ in stale], events=0).delete()
    Viewer.objects.filter(pk__in={viewer for _, viewer in stale}, visits__isnull=True).delete()
    return deleted.get(Visit._meta.label, 0)


@transaction.atomic
def visits_close_idle(*, now: datetime | None = None) -> int:
    """End visits whose page went quiet without an `end` (a crashed tab), and queue their summaries;
    delete idle visits whose page never ran. Returns the visits ended."""
    now = now or timezone.now()
    idle_since = now - timedelta(minutes=VISIT_IDLE_MINUTES)
    _unconfirmed_delete(idle_since)
    idle = list(
        Visit.objects.select_for_update(skip_locked=True).filter(
            ended_at__isnull=True, last_seen_at__lte=idle_since
        )[:1000]
    )
    for visit in idle:
        Visit.objects.filter(pk=visit.pk).update(ended_at=visit.last_seen_at)
        _summary_queue(visit)
    return len(idle)


def visit_summary_send(*, visit_id: int) -> bool:
    """Email the rep one summary of an ended visit: which assets and pages, for how long.

    Sent at most once per visit (the claim is one conditional UPDATE), and not at all when the rep
    turned buyer-activity emails off or the visit is unconfirmed (no event: its page never ran)."""
    from enablement.rooms.selectors import visit_reading

    visit = (
        Visit.objects.select_related("room__deal", "room__created_by", "viewer").filter(pk=visit_id).first()
    )
    if visit is None or visit.ended_at is None or not visit.events:  # a page that never ran: no summary
        return False
    room = visit.room
    rep = room.deal.owner or room.created_by
    if not emails_wanted(rep):
        return False
    with transaction.atomic():
        claimed = Visit.objects.filter(pk=visit.pk, summary_sent_at__isnull=True).update(
            summary_sent_at=timezone.now()
        )
        if not claimed:
            return False
        reading = visit_reading(visit)
        body = render_to_string("rooms/summary.txt", {"visit": visit, "room": room, "reading": reading})
        send_mail(
            subject=f"{visit.viewer.label} read “{room.title}” ({room.deal.name})",
            message=body,
            from_email=None,
            recipient_list=[rep.email],
        )
    return True
