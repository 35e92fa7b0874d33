"""Demo deals: ~2,000 opportunities walking the funnel, with the assets reps used on the way.

A small simulation, so the analytics have something true to find: reps differ in skill, a few assets
are followed by better conversion at one stage (the ROI calculators at Proposal, the case studies at
Discovery), and one set is used mostly by the strongest reps while doing nothing itself (battlecards).
Every deal draws from its own seeded generator, so the data are the same on every machine and
asking for more deals later leaves the first ones as they were.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from assets.choices import AssetKind, AssetStatus, StageOutcome
from assets.models import Asset, FunnelStage
from enablement.choices import DealSource, UsageAction, UsageSource
from enablement.deals.history import deals_state_recompute, stage_change_key, usage_stages_recompute
from enablement.deals.models import Account, Deal, StageChange
from enablement.demo.data import CUSTOMERS, INDUSTRIES, REGIONS
from enablement.usage.models import UsageEvent

BASE_ADVANCE = {
    "inquiry": 0.55,
    "mql": 0.6,
    "sql": 0.62,
    "discovery": 0.55,
    "proposal": 0.45,
    "negotiation": 0.65,
}
HELPS = {("proposal", AssetKind.ROI_CALCULATOR): 0.18, ("discovery", AssetKind.CASE_STUDY): 0.12}
PROJECTS = ["Analytics rollout", "Platform renewal", "Pilot", "Expansion", "Forecasting project"]
ACTIONS = [
    UsageAction.VIEWED,
    UsageAction.DOWNLOADED,
    UsageAction.SHARED,
    UsageAction.PRESENTED,
    UsageAction.EMAILED,
]


def seed_deals(*, count: int, reps: list[User], seed: int, horizon_days: int = 540) -> int:
    """Create the demo deals not yet there; returns how many were created."""
    existing = set(Deal.objects.filter(source=DealSource.DEMO).values_list("external_id", flat=True))
    wanted = [n for n in range(count) if f"D-{n + 1:05d}" not in existing]
    if not wanted or not reps:
        return 0
    stages = list(FunnelStage.objects.all())
    open_stages = [s for s in stages if s.outcome == StageOutcome.OPEN]
    won = next(s for s in stages if s.outcome == StageOutcome.WON)
    lost = next(s for s in stages if s.outcome == StageOutcome.LOST)
    by_stage = _assets_by_stage()
    accounts = _accounts(seed)
    skill = {rep.pk: random.Random(f"{seed}-rep-{rep.pk}").uniform(-0.12, 0.12) for rep in reps}
    # Anchored to midnight UTC, so every run on the same day draws exactly the same times.
    now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    deals, changes, events = [], [], []
    for n in wanted:
        rng = random.Random(f"{seed}-deal-{n}")
        owner = rng.choice(reps)
        account = accounts[n % len(accounts)]
        created = now - timedelta(days=rng.uniform(0, horizon_days), hours=rng.uniform(0, 24))
        project = rng.choice(PROJECTS)
        deal = Deal(
            source=DealSource.DEMO,
            external_id=f"D-{n + 1:05d}",
            name=f"{account.name}: {project}",
            account=account,
            owner=owner,
            currency="USD",
            created_at=created,
            amount=Decimal(rng.randrange(8_000, 400_000, 500)),
        )
        deals.append(deal)
        history, usage = _walk(rng, deal, owner, skill[owner.pk], open_stages, won, lost, by_stage, now)
        changes.append(history)
        events.append(usage)
    Deal.objects.bulk_create(deals, batch_size=500)
    StageChange.objects.bulk_create(
        [
            StageChange(deal=d, stage=s, entered_at=t, external_id=stage_change_key(s, t))
            for d, history in zip(deals, changes, strict=True)
            for s, t in history
        ],
        batch_size=1000,
    )
    UsageEvent.objects.bulk_create([e for batch in events for e in batch], batch_size=1000)
    created = Deal.objects.filter(pk__in=[d.pk for d in deals])
    deals_state_recompute(created)
    usage_stages_recompute(UsageEvent.objects.filter(deal__in=created))
    return len(deals)


def _assets_by_stage() -> dict[str, list[Asset]]:
    found: dict[str, list[Asset]] = {}
    for asset in Asset.objects.filter(status=AssetStatus.PUBLISHED).prefetch_related("stages"):
        for stage in asset.stages.all():
            found.setdefault(stage.slug, []).append(asset)
    return found


def _accounts(seed: int) -> list[Account]:
    rng = random.Random(f"{seed}-accounts")
    names = [
        f"{c} {suffix}" for suffix in ("Group", "Labs", "Systems", "Partners", "Holdings") for c in CUSTOMERS
    ]
    accounts = []
    for name in names:
        account, _ = Account.objects.get_or_create(
            source=DealSource.DEMO,
            external_id=name,
            defaults={
                "name": name,
                "industry": rng.choice(INDUSTRIES),
                "region": rng.choice(REGIONS),
                "size": rng.choice(["1-50", "51-200", "201-1000", "1000+"]),
            },
        )
        accounts.append(account)
    return accounts


def _use_probability(stage: str, kind: str, skill: float) -> float:
    """Most material is picked up now and then; the planted winners are reached for more often (so
    there is enough data to see them), and strong reps favour battlecards."""
    probability = 0.1
    if (stage, kind) in HELPS:
        probability += 0.25
    if kind == AssetKind.BATTLECARD:
        probability += 0.6 * skill
    return probability


def _walk(
    rng: random.Random,
    deal: Deal,
    owner: User,
    skill: float,
    open_stages: list[FunnelStage],
    won: FunnelStage,
    lost: FunnelStage,
    by_stage: dict[str, list[Asset]],
    now: datetime,
):
    """One deal's path through the funnel: its history and the usage on the way."""
    history: list[tuple[FunnelStage, datetime]] = []
    usage: list[UsageEvent] = []
    at = deal.created_at
    start = rng.choices(range(len(open_stages)), weights=[5, 3, 2, 1, 0.5, 0.3][: len(open_stages)])[0]
    for stage in open_stages[start:]:
        history.append((stage, at))
        days = rng.expovariate(1 / (10 + 6 * open_stages.index(stage)))
        leaves_at = at + timedelta(days=days)
        p = BASE_ADVANCE.get(stage.slug, 0.55) + skill
        # Strong reps reach for battlecards more, which do nothing by themselves.
        candidates = by_stage.get(stage.slug, [])
        used = [a for a in candidates if rng.random() < _use_probability(stage.slug, a.kind, skill)]
        for asset in used:
            p += HELPS.get((stage.slug, asset.kind), 0)
            when = at + timedelta(days=rng.uniform(0, max(days, 0.1)) * 0.8)
            if when < now:
                usage.append(
                    UsageEvent(
                        event_id=f"demo-{deal.external_id}-{len(usage) + 1}",
                        asset=asset,
                        deal=deal,
                        rep=owner,
                        action=rng.choice(ACTIONS),
                        occurred_at=when,
                        source=UsageSource.PORTAL,
                        asset_version_id=asset.current_version_id,
                    )
                )
        if leaves_at >= now:
            return history, usage  # still open at this stage
        at = leaves_at
        if rng.random() >= p:
            history.append((lost, at))
            return history, usage
    history.append((won, at))
    return history, usage
