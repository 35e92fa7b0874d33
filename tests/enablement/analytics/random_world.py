"""A random organisation of deals, histories and uses on a grid of times, for comparing the engine
with a plain reading of the method."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from assets.models import FunnelStage
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal, StageChange, UsageEvent
from tests.factories import AssetFactory, DealFactory, UserFactory

T0 = datetime(2025, 1, 6, tzinfo=UTC)

STEP = timedelta(hours=6)  # times on a 6-hour grid: days are exact in binary, and ties are frequent


def _world(seed: int) -> None:
    rng = random.Random(seed)
    stages = list(FunnelStage.objects.all())
    orders = rng.sample(range(10, 400, 10), len(stages))
    for stage, order in zip(stages, orders, strict=True):
        stage.order = order
        stage.landmark_days = rng.choice([None, None, None, 1, 3])
        stage.save(update_fields=["order", "landmark_days"])
    reps = [UserFactory(username=f"ref-rep-{seed}-{i}") for i in range(3)]
    assets = [AssetFactory(slug=f"ref-{seed}-{i}", published_at=T0 - timedelta(days=400)) for i in range(3)]
    changes, events = [], []
    for d in range(60):
        deal = DealFactory(external_id=f"ref-{seed}-{d}", owner=rng.choice(reps))
        start = rng.randrange(0, 200)
        n = rng.choice([1, 1, 2, 3, 4, 5, 6, 8, 12])
        for i in range(n):
            at = T0 + STEP * (start + rng.choice([0, 0, 1, 2, 4, 8, 20]) * i // max(1, rng.choice([1, 2, 3])))
            if rng.random() < 0.3 and changes and changes[-1].deal_id == deal.pk:
                at = changes[-1].entered_at  # the same instant as the row before
            changes.append(
                StageChange(deal=deal, stage=rng.choice(stages), entered_at=at, external_id=f"{d}-{i}")
            )
        for k in range(rng.choice([0, 0, 1, 3, 6])):
            events.append(
                UsageEvent(
                    event_id=f"ref-{seed}-{d}-{k}",
                    asset=rng.choice(assets),
                    deal=deal,
                    rep=deal.owner,
                    action="viewed",
                    occurred_at=T0 + STEP * (start + rng.randrange(-4, 60)),
                    source="import",
                )
            )
    StageChange.objects.bulk_create(changes)
    UsageEvent.objects.bulk_create(events)
    deals_state_recompute(Deal.objects.all())
