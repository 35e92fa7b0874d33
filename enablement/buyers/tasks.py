from __future__ import annotations

from celery import shared_task


@shared_task
def profile_apply() -> int:
    """After a profile is approved: score every deal against it, then compute the analytics again so
    the figures in and out of profile follow the new profile. Returns the deals scored."""
    from enablement.analytics.engine import analytics_compute
    from enablement.buyers.services import deals_fit_refresh

    scored = deals_fit_refresh()
    analytics_compute()
    return scored
