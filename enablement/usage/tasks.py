"""Usage's periodic task (beat), thin: it calls the module that does the work."""

from __future__ import annotations

from celery import shared_task

from enablement.usage.counts import usage_counts_refresh


@shared_task(name="enablement.tasks.usage_counts_recount")
def usage_counts_recount() -> None:
    """Nightly: set every asset's stored counts of uses, in all and at each stage, from the events, so a
    count that drifted (events written round the write path) is never wrong for long."""
    usage_counts_refresh()
