from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)
SUMMARY_TRIES = 5


@shared_task(bind=True, max_retries=SUMMARY_TRIES)
def visit_summary_send(self, visit_id: int) -> bool:
    """After a visit ends: one summary email to the rep (sent at most once per visit). A mail server
    that refuses or times out is tried again, 2, 4, 8 … minutes later."""
    from enablement.rooms.alerts import visit_summary_send as send

    try:
        return send(visit_id=visit_id)
    except OSError as exc:  # smtplib's errors, refused connections and timeouts
        if self.request.is_eager:  # no worker (`make run`): the buyer's request must not fail for it
            logger.exception("The summary of visit %s could not be sent", visit_id)
            return False
        raise self.retry(exc=exc, countdown=120 * 2**self.request.retries) from exc


@shared_task
def visits_close_idle() -> int:
    """Every few minutes: end visits whose tab went quiet without saying so, and summarise them;
    delete quiet visits whose page never ran (link previews, mail scanners); forget the gate's
    clients' hashes whose window has passed."""
    from enablement.rooms.gate import client_hashes_forget
    from enablement.rooms.visits import visits_close_idle as close

    client_hashes_forget()
    return close()


@shared_task
def visits_purge() -> int:
    """Daily: delete visit data older than ROOM_VISIT_RETENTION_DAYS."""
    from enablement.rooms.services import visits_purge as purge

    return purge()
