"""Demo deals: ~2,000 opportunities walking the funnel, with the assets reps used on the way.

A small simulation, so the analytics have something true to find (what is planted:
enablement.demo.planted): reps differ in skill, two assets raise the chance to advance at one stage,
one lowers it, one is used mostly by the strongest reps while doing nothing itself, and at Proposal and
Negotiation reps put what they used in deal rooms that buyers read (enablement.demo.reading). Every
deal draws from its own seeded generator, so the data are the same on every machine and asking for
more deals later leaves the first ones as they were.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from assets.choices import AssetStatus, StageOutcome
from assets.models import Asset, FunnelStage
from enablement.choices import DealSource, UsageAction, UsageSource
from enablement.deals.history import deals_state_recompute, stage_change_key, usage_stages_recompute
from enablement.deals.models import Account, Deal, StageChange
from enablement.demo import planted
from enablement.demo.data import CUSTOMERS, INDUSTRIES, REGIONS
from enablement.demo.reading import seed_reading
from enablement.usage.models import UsageEvent
from enablement.usage.services import usage_counts_refresh

BASE_ADVANCE = {
    "inquiry": 0.55,
    "mql": 0.6,
    "sql": 0.62,
    "discovery": 0.55,
    "proposal": 0.45,
    "negotiation": 0.65,
}
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
    skill = {rep.pk: random.Random(f"{seed}-rep-{rep.username}").uniform(-0.12, 0.12) for rep in reps}
    # Anchored to midnight UTC, so every run on the same day draws exactly the same times.
    now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    deals, changes, events, rooms = [], [], [], []
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
        history, usage, made = _walk(rng, deal, owner, skill[owner.pk], open_stages, won, lost, by_stage, now)
        changes.append(history)
        events.append(usage)
        rooms.append(made)
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
    usage_counts_refresh()
    seed_reading(list(zip(deals, rooms, strict=True)), reps=reps)
    return len(deals)


def _assets_by_stage() -> dict[str, list[Asset]]:
    found: dict[str, list[Asset]] = {}
    # In the order they were made: titles sort differently in SQLite and PostgreSQL, and the order
    # the walk meets the assets in decides what it draws, so the demo is the same on both.
    for asset in Asset.objects.filter(status=AssetStatus.PUBLISHED).order_by("pk").prefetch_related("stages"):
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
    """One deal's path through the funnel: its history, the usage on the way and its deal rooms."""
    history: list[tuple[FunnelStage, datetime]] = []
    usage: list[UsageEvent] = []
    rooms: list[planted.Room] = []
    at = deal.created_at
    start = rng.choices(range(len(open_stages)), weights=[5, 3, 2, 1, 0.5, 0.3][: len(open_stages)])[0]
    for stage in open_stages[start:]:
        history.append((stage, at))
        days = rng.expovariate(1 / (10 + 6 * open_stages.index(stage)))
        leaves_at = at + timedelta(days=days)
        p = BASE_ADVANCE.get(stage.slug, 0.55) + skill
        candidates = by_stage.get(stage.slug, [])
        used = [a for a in candidates if rng.random() < planted.use_chance(a.slug, stage.slug, skill)]
        first: dict[int, datetime] = {}
        for asset in used:
            p += planted.effect(asset.slug, stage.slug)
            span = min(days, 3) if planted.early(asset.slug, stage.slug) else days * 0.8
            when = at + timedelta(days=rng.uniform(0, span) * 0.99)  # before the deal leaves the stage
            if when < now:
                first[asset.pk] = when
                usage.append(_use(rng, deal, owner, asset, when, len(usage) + 1))
        rooms += _room(rng, stage.slug, first, min(leaves_at, now))
        if leaves_at >= now:
            return history, usage, rooms  # still open at this stage
        at = leaves_at
        if rng.random() >= min(max(p, 0.02), 0.98):
            history.append((lost, at))
            return history, usage, rooms
    history.append((won, at))
    return history, usage, rooms


def _use(rng: random.Random, deal: Deal, owner: User, asset: Asset, when: datetime, n: int) -> UsageEvent:
    return UsageEvent(
        event_id=f"demo-{deal.external_id}-{n}",
        asset=asset,
        deal=deal,
        rep=owner,
        action=rng.choice(ACTIONS),
        occurred_at=when,
        source=UsageSource.PORTAL,
        asset_version_id=asset.current_version_id,
    )


def _room(rng: random.Random, stage: str, first: dict[int, datetime], until: datetime) -> list[planted.Room]:
    """At Proposal and Negotiation, sometimes a deal room with up to three of the assets the rep used
    there, made when the first of them was used (so it moves no first use), and the buyer's visits
    until the deal leaves the stage (the first within two days): each reads each asset for a few
    seconds (under the reading threshold) or for a while."""
    if stage not in planted.ROOM_STAGES or not first or rng.random() >= planted.ROOM_STAGES[stage]:
        return []
    chosen = sorted(first, key=first.get)[:3]
    made = planted.Room(at=first[chosen[0]], asset_ids=chosen)
    if made.at >= until:
        return []
    last = min(until, made.at + timedelta(days=59)) - timedelta(hours=1)  # the room lasts 60 days
    for n in range(rng.choice([0, 1, 1, 2, 3])):
        if last <= made.at:
            break
        # Buyers mostly open a room within a couple of days of getting it; later visits, any time.
        at = made.at + min(last - made.at, timedelta(days=2)) * rng.random() if n == 0 else None
        at = at or made.at + (last - made.at) * rng.random()
        seconds = {a: rng.uniform(5, 25) if rng.random() < 0.4 else rng.uniform(35, 240) for a in chosen}
        made.visits.append(planted.Visit(at=at, seconds=seconds))
    return [made]
