"""A usage event's stage: the deal's stage at its `occurred_at`, recomputed (set-based) whenever
history at or before that moment arrives."""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from enablement.deals.history import latest_change
from enablement.usage.counts import stage_uses_add, stage_uses_take
from enablement.usage.models import UsageEvent


def usage_stages_recompute(events: QuerySet[UsageEvent]) -> int:
    """Set each event's stage to its deal's stage at occurred_at (set-based); the per-stage use counts
    follow: the events leave their old stage's counts and join their new one's (an event without a
    stage is in none, so a new event, recorded before its stage is set, is counted here)."""
    at_that_time = latest_change(OuterRef("deal_id"), before=OuterRef("occurred_at"))
    stage_uses_take(events)
    moved = events.update(stage=Subquery(at_that_time.values("stage")[:1]))
    stage_uses_add(events)
    return moved


def usage_stages_follow_history(*, deal_ids: set[int], since: datetime, **kwargs) -> None:
    """deals.events.history_added: the uses of those deals from the earliest new row on."""
    usage_stages_recompute(UsageEvent.objects.filter(deal_id__in=deal_ids, occurred_at__gte=since))
