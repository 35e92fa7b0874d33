from __future__ import annotations

from celery import shared_task


@shared_task
def visit_summary_send(visit_id: int) -> bool:
    """After a visit ends: one summary email to the rep (sent at most once per visit)."""
    from enablement.rooms.reading import visit_summary_send as send

    return send(visit_id=visit_id)


@shared_task
def visits_close_idle() -> int:
    """Every few minutes: end visits whose tab went quiet without saying so, and summarise them;
    delete quiet visits whose page never ran (link previews, mail scanners); forget the gate's
    clients' hashes whose window has passed."""
    from enablement.rooms.gate import client_hashes_forget
    from enablement.rooms.reading import visits_close_idle as close

    client_hashes_forget()
    return close()


@shared_task
def visits_purge() -> int:
    """Daily: delete visit data older than ROOM_VISIT_RETENTION_DAYS."""
    from enablement.rooms.services import visits_purge as purge

    return purge()
