"""The rooms' periodic tasks (beat), thin: each calls the module that does the work. The summary email's
task is queued when a visit ends and lives with it, in summaries.py."""

from __future__ import annotations

from celery import shared_task

from enablement.rooms import services, visits
from enablement.rooms.gate import client_hashes_forget


@shared_task
def visits_close_idle() -> int:
    """Every few minutes: end visits whose tab went quiet without saying so, and summarise them;
    delete quiet visits whose page never ran (link previews, mail scanners); forget the gate's
    clients' hashes whose window has passed."""
    client_hashes_forget()
    return visits.visits_close_idle()


@shared_task
def visits_purge() -> int:
    """Daily: delete visit data older than ROOM_VISIT_RETENTION_DAYS."""
    return services.visits_purge()
