"""A buyer's visits to a room: who the viewer is, the visit going on, and the idle sweep.

A visit is one sitting. Moving between the room's pages, Back, Forward and a reload continue it, even
after the page said goodbye (`end`), for as long as the sitting lasts (VISIT_IDLE_MINUTES): the rep
hears of a sitting once. A client that keeps no cookie gets a new viewer with every request, so it
may begin only ROOM_COOKIELESS_VISITS_PER_HOUR visits an hour in a room; beyond that its pages are
shown and nothing is recorded.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from enablement.rooms.gate import COOKIELESS_WINDOW, cookie_hash, room_lock
from enablement.rooms.models import SITTING, CookielessOpening, DealRoom, Viewer, Visit
from enablement.rooms.summaries import summary_queue


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


def in_sitting(now: datetime) -> Q:
    """Visits still in their sitting: going on and seen within the idle window, or ended by their
    page less than that ago (the buyer may come back with Back or a reload)."""
    return Q(ended_at__isnull=True, last_seen_at__gt=now - SITTING) | Q(ended_at__gt=now - SITTING)


def visit_resume(*, visit: Visit, now: datetime) -> Visit:
    """Continue a visit its page had ended: its summary waits for the new end (or, sent already,
    is not sent again)."""
    Visit.objects.filter(pk=visit.pk).update(ended_at=None, last_seen_at=now)
    visit.ended_at, visit.last_seen_at = None, now
    return visit


@transaction.atomic
def visit_continue_or_start(*, room: DealRoom, viewer: Viewer, key: str = "") -> Visit:
    """The viewer's visit in its sitting in this room, or a new one.

    A new visit is unconfirmed: the rep hears of it only when its page's first events arrive
    (`reading.events_record`), so a link preview or mail scanner that fetches the page without
    running it tells the rep nothing, and the idle sweep deletes its visit."""
    if reason := room.unavailable_reason():
        raise ValidationError(f"This room is no longer live ({reason}).")
    now = timezone.now()
    if key:
        going_on = Visit.objects.filter(in_sitting(now), key=key, room=room, viewer=viewer).first()
        if going_on is not None:
            return visit_resume(visit=going_on, now=now) if going_on.ended_at else going_on
    # The viewer's row locked while its visit is written: the idle sweep, which deletes viewers left
    # without a visit, then waits (and fails its round, not this request). Gone already (deleted by
    # the sweep since it was read): the same viewer again.
    if not Viewer.objects.select_for_update().filter(pk=viewer.pk).exists():
        viewer, _ = Viewer.objects.get_or_create(
            room=room, email=viewer.email, cookie_hash=viewer.cookie_hash
        )
    return Visit.objects.create(room=room, viewer=viewer, started_at=now, last_seen_at=now)


@transaction.atomic
def visit_open(
    *, room: DealRoom, email: str = "", cookie: str, key: str = "", cookieless_client: str = ""
) -> Visit | None:
    """The visit a page of the room records into: the one in its sitting, or a new one.

    `cookieless_client` (a `gate.client_hash`) says the request came without the buyer cookie: such
    a client may open the room ROOM_COOKIELESS_VISITS_PER_HOUR times an hour; beyond that the page
    records nothing (None) and no viewer is made."""
    if cookieless_client:
        room_lock(room)  # one count at a time per room
        since = timezone.now() - COOKIELESS_WINDOW
        opened = CookielessOpening.objects.filter(room=room, client_hash=cookieless_client)
        if opened.filter(opened_at__gt=since).count() >= settings.ROOM_COOKIELESS_VISITS_PER_HOUR:
            return None
        CookielessOpening.objects.create(room=room, client_hash=cookieless_client)
    viewer = viewer_get_or_create(room=room, email=email, cookie=cookie)
    return visit_continue_or_start(room=room, viewer=viewer, key=key)


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
    idle_since = now - SITTING
    _unconfirmed_delete(idle_since)
    idle = list(
        Visit.objects.select_for_update(skip_locked=True).filter(
            ended_at__isnull=True, last_seen_at__lte=idle_since
        )[:1000]
    )
    for visit in idle:
        Visit.objects.filter(pk=visit.pk).update(ended_at=visit.last_seen_at)
        summary_queue(visit, wait=False)
    return len(idle)
