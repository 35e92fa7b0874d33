"""The summary email of a visit, queued when the visit ends (alerts.py writes and bounds it)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from config.outbox.services import enqueue
from enablement import webhook_events
from enablement.rooms import alerts
from enablement.rooms.models import Visit

logger = logging.getLogger(__name__)
SUMMARY_TRIES = 5


# Named as when it lived in rooms/tasks.py: the outbox and a worker's queue may hold it by that name.
@shared_task(bind=True, max_retries=SUMMARY_TRIES, name="enablement.rooms.tasks.visit_summary_send")
def visit_summary_send(self, visit_id: int) -> bool:
    """After a visit ends: one summary email to the rep (sent at most once per visit). A mail server
    that refuses or times out is tried again, 2, 4, 8 … minutes later."""
    try:
        return alerts.visit_summary_send(visit_id=visit_id)
    except OSError as exc:  # smtplib's errors, refused connections and timeouts
        if self.request.is_eager:  # no worker (`make run`): the buyer's request must not fail for it
            logger.exception("The summary of visit %s could not be sent", visit_id)
            return False
        raise self.retry(exc=exc, countdown=120 * 2**self.request.retries) from exc


def summary_queue(visit: Visit, *, wait: bool = True) -> None:
    """Queue the visit's summary; after a page's `end` it waits ROOM_SUMMARY_DELAY_SECONDS, so that a
    buyer coming straight back continues the visit and the rep gets one summary of the sitting."""
    delay = settings.ROOM_SUMMARY_DELAY_SECONDS if wait else 0
    enqueue(visit_summary_send, visit.pk, countdown=delay or None)
    webhook_events.room_visit_ended(visit)
