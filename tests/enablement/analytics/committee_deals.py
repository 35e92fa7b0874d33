"""Deals at a stage with a buying committee, for the build-next ranking and the digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assets.models import BuyerRole, FunnelStage
from enablement.buyers.services import deal_role_add
from enablement.deals.history import deal_stage_change
from tests.factories import DealFactory

T0 = datetime(2025, 3, 3, tzinfo=UTC)


def inquiry_deal(outcome: str, roles: list[str] = (), industry: str = "Software", stage: str = "inquiry"):
    """A deal that entered `stage` and then advanced to the next stage down, was lost, or is open,
    with these buyer roles (slugs) on its committee."""
    deal = DealFactory(account__industry=industry)
    entered = FunnelStage.objects.get(slug=stage)
    deal_stage_change(deal=deal, stage=entered, entered_at=T0)
    if outcome != "open":
        nxt = (
            FunnelStage.objects.get(slug="closed-lost")
            if outcome == "lost"
            else FunnelStage.objects.filter(outcome="open", order__gt=entered.order).order_by("order").first()
        )
        deal_stage_change(deal=deal, stage=nxt, entered_at=T0 + timedelta(days=3))
    for n, slug in enumerate(roles):
        deal_role_add(deal=deal, role=BuyerRole.objects.get(slug=slug), contact=f"Contact {n} of {deal.pk}")
    return deal
