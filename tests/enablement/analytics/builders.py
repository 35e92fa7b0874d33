"""Histories, uses and planted organisations for the analytics tests, and the report they are read by."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from io import StringIO

from django.core.management import call_command

from assets.models import FunnelStage
from enablement.deals.history import deals_state_recompute, stage_change_key
from enablement.models import Deal, StageChange, UsageEvent
from tests.factories import AssetFactory, UserFactory

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def history(deal: Deal, *steps: tuple[str, float]) -> None:
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    StageChange.objects.bulk_create(
        StageChange(deal=deal, stage=stages[slug], entered_at=day(d), external_id=f"{slug}@{d}@{i}")
        for i, (slug, d) in enumerate(steps)
    )


def use(deal: Deal, asset, at: float, event_id: str) -> None:
    UsageEvent.objects.create(
        event_id=event_id,
        asset=asset,
        deal=deal,
        rep=deal.owner,
        action="viewed",
        occurred_at=day(at),
        source="import",
    )


def report(stage: str | None = None) -> dict:
    out = StringIO()
    call_command("analytics_report", "--format", "json", *(["--stage", stage] if stage else []), stdout=out)
    return json.loads(out.getvalue())


def planted_world(seed: int = 11, prefix: str = "") -> dict[str, object]:
    """4,000 deals at Proposal across 8 reps of different skill, with assets whose effects we know."""
    rng = random.Random(seed)
    reps = [UserFactory(username=f"{prefix}planted-rep-{n}") for n in range(8)]
    skill = {rep.pk: 0.25 + 0.07 * n for n, rep in enumerate(reps)}  # 0.25 … 0.74
    assets = {
        name: AssetFactory(slug=prefix + name, title=prefix + name)
        for name in ["lifts", "hurts", "strong-reps", "rare"]
    }
    nulls = [AssetFactory(slug=f"{prefix}null-{n}", title=f"{prefix}null {n}") for n in range(20)]
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    deals, changes, events = [], [], []
    for n in range(4000):
        rep = reps[n % len(reps)]
        deal = Deal(
            source="native", external_id=f"{prefix}P-{n}", name=f"Planted {n}", owner=rep, created_at=T0
        )
        deals.append(deal)
        p = skill[rep.pk]
        used = []
        if rng.random() < 0.3:
            used.append(assets["lifts"])
            p += 0.2
        if rng.random() < 0.3:
            used.append(assets["hurts"])
            p -= 0.2
        if rng.random() < (skill[rep.pk] - 0.2) * 1.3:  # the strongest reps use it most; it does nothing
            used.append(assets["strong-reps"])
        if n < 12:
            used.append(assets["rare"])
        used.extend(a for a in nulls if rng.random() < 0.25)
        advanced = rng.random() < p
        changes.append((deal, "proposal", day(0)))
        changes.append((deal, "negotiation" if advanced else "closed-lost", day(5 + rng.random() * 20)))
        events.extend((deal, asset, i) for i, asset in enumerate(used))
    Deal.objects.bulk_create(deals)
    StageChange.objects.bulk_create(
        StageChange(deal=d, stage=stages[s], entered_at=t, external_id=stage_change_key(stages[s], t))
        for d, s, t in changes
    )
    UsageEvent.objects.bulk_create(
        UsageEvent(
            event_id=f"u-{d.external_id}-{i}",
            asset=a,
            deal=d,
            rep=d.owner,
            action="viewed",
            occurred_at=day(1),
            source="import",
        )
        for d, a, i in events
    )
    deals_state_recompute(Deal.objects.all())
    return {"assets": assets, "nulls": nulls}
