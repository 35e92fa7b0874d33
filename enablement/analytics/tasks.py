"""The analytics' worker tasks: thin, each calls the engine. Their names are the ones beat and the
outbox have always used (registered through enablement.tasks)."""

from __future__ import annotations

from celery import shared_task

from config.outbox.services import enqueue
from enablement.analytics.digest import digest_send
from enablement.analytics.engine import analytics_compute
from enablement.buyers.services import deals_fit_refresh


@shared_task(name="enablement.tasks.analytics_recompute")
def analytics_recompute() -> int | None:
    """Nightly (and on demand): the full analytics run; None when another run was computing."""
    run = analytics_compute()
    return run.pk if run else None


@shared_task(name="enablement.tasks.analytics_refresh_after_import")
def analytics_refresh_after_import() -> int | None:
    """After an import wrote something (and every few minutes, for API batches): bring the current
    run up to date with the rows recorded since it, touching only those deals (a full run when there
    are many). While a run computes, others are skipped; the next refresh picks up what they missed."""
    run = analytics_compute(refresh=True)
    return run.pk if run else None


@shared_task(name="enablement.tasks.analytics_digest")
def analytics_digest() -> int:
    """Weekly: email the funnel, top and bottom assets, new gaps and stalled deals to the leads."""
    return digest_send()


@shared_task(name="enablement.buyers.tasks.profile_apply")
def profile_apply() -> int:
    """After a profile is approved: score every deal against it, then compute the analytics again so
    the figures in and out of profile follow the new profile. Returns the deals scored."""
    scored = deals_fit_refresh()
    analytics_compute()
    return scored


def profile_apply_queue(sender=None, **kwargs) -> None:
    """buyers.events.profile_approved: the buyers package sits below the analytics, so it announces
    the approval and this queues the work (in the approval's transaction, sent after its commit)."""
    enqueue(profile_apply)
