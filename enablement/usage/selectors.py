"""Reads of usage events."""

from __future__ import annotations

from django.db.models import QuerySet

from enablement.deals.models import Deal
from enablement.usage.models import UsageEvent


def usage_of_deal(deal: Deal) -> QuerySet[UsageEvent]:
    return deal.usage_events.select_related("asset", "rep", "stage").order_by("occurred_at")
