"""What the rep hears of a buyer's reading: a notification when a visit's page first reports, and one
summary email when the visit ends.

Both are bounded so that no client can flood the rep: a viewer is announced at most once per
sitting (VISIT_IDLE_MINUTES), and a room makes at most ROOM_NOTIFICATIONS_PER_HOUR notifications and
ROOM_SUMMARY_EMAILS_PER_HOUR summaries an hour; visits beyond that are folded into one line ("and N
more visits"). The counts are read in the database under the room's row lock, so a Redis outage
neither opens nor closes the bounds, and two visits judged at once are judged one after the other.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max
from django.template.loader import render_to_string
from django.utils import timezone

from enablement.rooms.gate import room_lock
from enablement.rooms.models import SITTING, BuyerNotification, DealRoom, Visit
from enablement.rooms.selectors import visit_reading
from enablement.rooms.services import emails_wanted

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)


def _kind(room: DealRoom, visit: Visit) -> str:
    # Against the room's other confirmed visits only: a bot's fetch before the buyer's first open
    # does not turn it into a "new viewer".
    earlier = Visit.objects.confirmed().filter(room=room).exclude(pk=visit.pk)
    if not earlier.exists():
        return BuyerNotification.Kind.FIRST_OPEN
    if earlier.filter(viewer_id=visit.viewer_id).exists():
        return BuyerNotification.Kind.RETURN_VISIT
    return BuyerNotification.Kind.NEW_VIEWER


def visit_announce(*, room: DealRoom, visit: Visit, now: datetime) -> BuyerNotification | None:
    """The visit's first events were accepted: its page ran, so the rep hears of it now, within the
    bounds. Called inside the events' transaction, after the visit's row lock."""
    recipient = room.deal.owner or room.created_by
    if recipient is None:
        return None
    room_lock(room)  # after the visit's row: every path takes them in that order
    notified = BuyerNotification.objects.filter(room=room)
    if notified.filter(visit__viewer_id=visit.viewer_id, created_at__gt=now - SITTING).exists():
        return None  # this viewer's sitting was announced already (Back, a reload, a new tab)
    this_hour = notified.filter(created_at__gt=now - HOUR).order_by("-created_at", "-pk")
    if this_hour.count() >= settings.ROOM_NOTIFICATIONS_PER_HOUR:
        latest = this_hour.values_list("pk", flat=True)[:1]
        BuyerNotification.objects.filter(pk__in=list(latest)).update(more_visits=F("more_visits") + 1)
        return None
    # A visit begun before visits were confirmed (migration 0010) was notified when it was fetched:
    # that one notification stands, and its first batch is still taken.
    notification = BuyerNotification(
        recipient=recipient, room=room, visit=visit, kind=_kind(room, visit), created_at=now
    )
    BuyerNotification.objects.bulk_create([notification], ignore_conflicts=True)
    return notification


def _claim(visit: Visit, now: datetime) -> int | None:
    """Claim the visit's summary and say how many of the room's visits were folded since its last
    one; None when there is nothing to send: claimed by another, the visit going on again, or the
    room past its hour's bound (the visit is then folded into the next summary)."""
    with transaction.atomic():
        # The visit's row, then the room's: the order the events take them in (a batch arriving
        # while the summary is claimed would otherwise deadlock with it).
        claimable = Visit.objects.select_for_update().filter(
            pk=visit.pk, summary_sent_at__isnull=True, ended_at__isnull=False
        )
        if not claimable.exists():
            return None
        room_lock(visit.room)
        Visit.objects.filter(pk=visit.pk).update(summary_sent_at=now)
        emailed = Visit.objects.filter(room=visit.room_id, summary_folded=False).exclude(pk=visit.pk)
        emailed = emailed.filter(summary_sent_at__isnull=False)
        if emailed.filter(summary_sent_at__gt=now - HOUR).count() >= settings.ROOM_SUMMARY_EMAILS_PER_HOUR:
            Visit.objects.filter(pk=visit.pk).update(summary_folded=True)
            return None
        last = emailed.aggregate(last=Max("summary_sent_at"))["last"]
        folded = Visit.objects.filter(room=visit.room_id, summary_folded=True)
        return (folded.filter(summary_sent_at__gt=last) if last else folded).count()


def visit_summary_send(*, visit_id: int) -> bool:
    """Email the rep one summary of an ended visit: which assets and pages, for how long.

    Sent at most once per visit (the claim is one conditional UPDATE), and not at all when the rep
    turned buyer-activity emails off, the visit is unconfirmed (its page never ran) or going on again,
    or the room had its hour's summaries. The mail is sent after the claim commits, so no lock is held
    while the mail server answers; if it fails, the claim is let go and the error raised (the task
    tries again)."""
    visit = (
        Visit.objects.select_related("room__deal", "room__created_by", "viewer").filter(pk=visit_id).first()
    )
    if visit is None or visit.ended_at is None or not visit.events:  # a page that never ran: no summary
        return False
    room = visit.room
    rep = room.deal.owner or room.created_by
    if not emails_wanted(rep):
        return False
    now = timezone.now()
    folded = _claim(visit, now)
    if folded is None:
        return False
    context = {
        "visit": visit,
        "room": room,
        "reading": visit_reading(visit),
        "folded": folded,
        "per_hour": settings.ROOM_SUMMARY_EMAILS_PER_HOUR,
    }
    try:
        send_mail(
            subject=f"{visit.viewer.label} read “{room.title}” ({room.deal.name})",
            message=render_to_string("rooms/summary.txt", context),
            from_email=None,
            recipient_list=[rep.email],
        )
    except Exception:
        Visit.objects.filter(pk=visit.pk, summary_sent_at=now).update(summary_sent_at=None)
        raise
    return True
