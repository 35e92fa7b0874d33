from __future__ import annotations

import pytest

from assets.models import BuyerRole, FunnelStage
from enablement.buyers import services


def role(slug: str) -> BuyerRole:
    return BuyerRole.objects.get(slug=slug)


def stage(slug: str) -> FunnelStage:
    return FunnelStage.objects.get(slug=slug)


@pytest.fixture
def approved_profile(marketer, admin_user, django_capture_on_commit_callbacks):
    """Software or Healthcare, 201-1000 or 1000+ employees, EMEA; a champion by SQL and the economic
    buyer by Proposal; in profile from 7."""
    profile = services.profile_propose(
        by=marketer,
        summary="Mid-size software and healthcare companies in EMEA.",
        industries=["Software", "Healthcare"],
        size_bands=["201-1000", "1000+"],
        regions=["EMEA"],
        roles_by_stage={stage("sql"): [role("champion")], stage("proposal"): [role("economic-buyer")]},
        fit_threshold=7,
    )
    with django_capture_on_commit_callbacks(execute=True):  # deals are scored after the commit
        return services.profile_approve(profile=profile, by=admin_user, note="Agreed.")
