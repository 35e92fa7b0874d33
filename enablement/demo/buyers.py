"""The demo's ideal buyer profile (proposed by marketing, approved by the admin), buying committees on
its deals, and qualification ratings on some of them."""

from __future__ import annotations

import random

from django.contrib.auth.models import User

from assets.models import BuyerRole, FunnelStage
from enablement.buyers import services
from enablement.buyers.models import FOUR_AS, BuyerProfile, DealRole, Qualification, RoleSource
from enablement.choices import DealSource
from enablement.deals.models import Deal
from enablement.demo.data import FIRST, LAST

# (role slug, chance it is in the room; stages from which the profile expects it)
COMMITTEE = [
    ("champion", 0.75, "sql"),
    ("economic-buyer", 0.55, "discovery"),
    ("technical-evaluator", 0.5, "proposal"),
    ("end-user", 0.35, None),
    ("executive-sponsor", 0.25, None),
    ("procurement", 0.2, "negotiation"),
]


def seed_profile(*, marketing: User, admin: User) -> BuyerProfile | None:
    """Version 1, approved; deals are scored by the caller (the seeder, in its transaction)."""
    if BuyerProfile.objects.exists():
        return None
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    roles = {r.slug: r for r in BuyerRole.objects.all()}
    expected: dict = {}
    for slug, _, from_stage in COMMITTEE:
        if from_stage in stages and slug in roles:
            expected.setdefault(stages[from_stage], []).append(roles[slug])
    profile = services.profile_propose(
        by=marketing,
        summary=(
            "Mid-size and large software, financial-services and healthcare companies in North America "
            "and EMEA, where a champion brings in the economic buyer early and the technical evaluator "
            "by the proposal."
        ),
        industries=["Software", "Financial services", "Healthcare"],
        size_bands=["201-1000", "1000+"],
        regions=["North America", "EMEA"],
        roles_by_stage=expected,
        fit_threshold=7,
    )
    return services.profile_approve(profile=profile, by=admin, note="Agreed at the kick-off.", rescore=False)


def seed_committees(*, seed: int) -> int:
    """Roles on the demo deals that have none, and the 4 As on about a third of them."""
    rng = random.Random(f"{seed}-committees")
    roles = {r.slug: r for r in BuyerRole.objects.all()}
    members, ratings = [], []
    deals = Deal.objects.filter(source=DealSource.DEMO, roles__isnull=True).order_by("pk")
    for deal_id in deals.values_list("pk", flat=True):
        for slug, chance, _ in COMMITTEE:
            if slug in roles and rng.random() < chance:
                contact = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                members.append(
                    DealRole(
                        deal_id=deal_id,
                        role=roles[slug],
                        contact=contact,
                        source=RoleSource.DEMO,
                        external_id=f"{slug}|{contact.lower()}",
                        is_primary=slug == "champion",
                    )
                )
        if rng.random() < 0.35:
            ratings.append(Qualification(deal_id=deal_id, **{a: rng.randint(3, 10) for a in FOUR_AS}))
    DealRole.objects.bulk_create(members, batch_size=1000, ignore_conflicts=True)
    Qualification.objects.bulk_create(ratings, batch_size=1000, ignore_conflicts=True)
    return len(members)
