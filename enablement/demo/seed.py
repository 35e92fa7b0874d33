"""A realistic, deterministic demo organisation for `seed_demo`.

Everything is keyed by a natural id (username, slug), so running it again changes nothing, and a
seeded random generator makes the same organisation on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from assets import services as asset_services
from assets.choices import AssetKind, AssetStatus, Role
from assets.models import Asset, BuyerRole, FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import Team
from enablement.buyers.models import DealRole
from enablement.buyers.services import deals_fit_refresh
from enablement.deals.models import Deal, StageChange
from enablement.demo.buyers import seed_committees, seed_profile
from enablement.demo.collateral import collateral_file
from enablement.demo.data import CUSTOMERS, DEMO_PASSWORD, FIRST, INDUSTRIES, LAST, PRODUCTS
from enablement.demo.deals import seed_deals
from enablement.usage.models import UsageEvent

# (kind, title pattern, summary pattern, suited roles, suited stages)
TEMPLATES = [
    (
        AssetKind.ROI_CALCULATOR,
        "{product} ROI calculator",
        "Works out payback period and three-year return of {product} from the buyer's own numbers.",
        ["economic-buyer", "executive-sponsor"],
        ["proposal", "negotiation"],
    ),
    (
        AssetKind.CASE_STUDY,
        "{customer} {industry} case study",
        "How {customer}, a {industry} company, cut reporting time by {pct}% with {product}.",
        ["champion", "economic-buyer"],
        ["discovery", "proposal"],
    ),
    (
        AssetKind.BATTLECARD,
        "{product} vs. the incumbent battlecard",
        "Where {product} wins, where it does not, and the questions that expose the difference.",
        ["champion", "technical-evaluator"],
        ["discovery", "proposal", "negotiation"],
    ),
    (
        AssetKind.DECK,
        "{product} first-meeting deck",
        "The story for a first meeting: the problem, the cost of waiting, and what good looks like.",
        ["executive-sponsor", "champion"],
        ["sql", "discovery"],
    ),
    (
        AssetKind.ONE_PAGER,
        "{product} one-pager for {industry}",
        "One page on what {product} does for {industry} teams, with three numbers that matter.",
        ["end-user", "champion"],
        ["inquiry", "mql", "sql"],
    ),
    (
        AssetKind.WHITEPAPER,
        "The state of {industry} analytics {year}",
        "Research across {pct} {industry} firms on where data work loses time and money.",
        ["executive-sponsor", "economic-buyer"],
        ["inquiry", "mql"],
    ),
    (
        AssetKind.VIDEO,
        "{product} in five minutes",
        "A short walkthrough of {product} for people who will use it every day.",
        ["end-user"],
        ["mql", "sql", "discovery"],
    ),
    (
        AssetKind.EMAIL_TEMPLATE,
        "Follow-up after the {product} demo",
        "An email to send within a day of a demo: recap, next step, and the one proof point.",
        ["champion"],
        ["discovery", "proposal"],
    ),
    (
        AssetKind.DEMO_SCRIPT,
        "{product} demo script for {industry}",
        "A 30-minute demo flow for {industry} buyers, with the questions to ask at each step.",
        ["technical-evaluator", "end-user"],
        ["discovery"],
    ),
    (
        AssetKind.FAQ,
        "{product} security and compliance FAQ",
        "Answers to the security questionnaire items procurement and IT ask most often.",
        ["procurement", "technical-evaluator"],
        ["proposal", "negotiation"],
    ),
]


@dataclass
class SeedReport:
    users_created: int = 0
    assets_created: int = 0
    deals_created: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _user(
    username: str, *, role: Role | None, rng: random.Random, superuser: bool = False
) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST),
            "email": f"{username}@demo.example",
            "is_staff": superuser or role in (Role.MARKETING, Role.ADMINS),
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user, created


def seed_people(*, reps: int, rng: random.Random, report: SeedReport) -> dict[str, list[User]]:
    admin, created = _user("admin", role=Role.ADMINS, rng=rng, superuser=True)
    report.users_created += created
    marketing, created = _user("marketing", role=Role.MARKETING, rng=rng)
    report.users_created += created
    rep_users = []
    for n in range(1, reps + 1):
        rep, created = _user(f"rep{n}", role=Role.REPS, rng=rng)
        report.users_created += created
        rep_users.append(rep)
    return {"admin": [admin], "marketing": [marketing], "reps": rep_users}


def seed_assets(*, count: int, owners: list[User], seed: int, report: SeedReport) -> list[Asset]:
    roles = {r.slug: r for r in BuyerRole.objects.all()}
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    today = timezone.localdate()
    assets = []
    for n in range(count):
        # One generator per asset: asking for more assets later leaves the first ones as they were.
        rng = random.Random(f"{seed}-asset-{n}")
        kind, title_t, summary_t, role_slugs, stage_slugs = TEMPLATES[n % len(TEMPLATES)]
        words = {
            "product": PRODUCTS[(n // len(TEMPLATES)) % len(PRODUCTS)],
            "industry": INDUSTRIES[n % len(INDUSTRIES)],
            "customer": CUSTOMERS[n % len(CUSTOMERS)],
            "year": 2023 + n % 4,
            "pct": rng.randint(18, 64),
        }
        title = title_t.format(**words)
        edition = n // (len(TEMPLATES) * len(PRODUCTS))
        if edition:
            title = f"{title}, edition {edition + 1}"
        slug = slugify(title)
        asset = Asset.objects.filter(slug=slug).first()
        if asset is None:
            asset = _create_demo_asset(
                n=n,
                rng=rng,
                title=title,
                slug=slug,
                kind=kind,
                owner=rng.choice(owners),
                today=today,
                summary=summary_t.format(**words),
                words=words,
                roles=[roles[r] for r in role_slugs if r in roles],
                stages=[stages[s] for s in stage_slugs if s in stages],
            )
            report.assets_created += 1
        assets.append(asset)
    return assets


def _create_demo_asset(
    *,
    n: int,
    rng: random.Random,
    title: str,
    slug: str,
    kind: str,
    owner: User,
    today,
    summary: str,
    words: dict,
    roles: list[BuyerRole],
    stages: list[FunnelStage],
) -> Asset:
    asset = asset_services.asset_create(
        title=title,
        slug=slug,
        kind=kind,
        owner=owner,
        summary=summary,
        guidance=f"Use it with the {', '.join(r.name.lower() for r in roles)} "
        f"once the deal reaches {stages[0].name if stages else 'discovery'}.",
        external_url=f"https://media.demo.example/{slug}" if kind == AssetKind.VIDEO else "",
        buyer_roles=roles,
        stages=stages,
        industries=[words["industry"]],
        products=[words["product"]],
        review_by=today + timedelta(days=rng.randint(-60, 300)),
    )
    file = collateral_file(asset, words=words, rng=rng)
    if file is not None:
        asset_services.asset_version_add(asset=asset, file=file, author=owner, note="First version")
    # Most of the catalogue is live; every thirteenth asset sits in another status.
    if n % 13 != 12:
        asset_services.asset_publish(asset=asset)
        published = timezone.now() - timedelta(days=rng.randint(5, 700))
        Asset.objects.filter(pk=asset.pk).update(published_at=published)
    elif n % 3 == 0:
        asset_services.asset_submit_for_review(asset=asset)
    elif n % 3 == 1:
        asset_services.asset_archive(asset=asset)
    return asset


TEAMS = ["Enterprise", "Mid-market", "Growth"]


def seed_teams(reps: list[User]) -> None:
    """Reps split across three sales teams, in order."""
    for n, name in enumerate(TEAMS):
        team, _ = Team.objects.get_or_create(name=name)
        team.members.add(*reps[n :: len(TEAMS)])


@transaction.atomic
def seed_demo(*, assets: int = 60, reps: int = 12, deals: int = 2000, seed: int = 7) -> SeedReport:
    rng = random.Random(seed)
    report = SeedReport()
    people = seed_people(reps=reps, rng=rng, report=report)
    seed_assets(count=assets, owners=people["marketing"] + people["admin"], seed=seed, report=report)
    report.deals_created = seed_deals(count=deals, reps=people["reps"], seed=seed)
    seed_teams(people["reps"])
    seed_profile(marketing=people["marketing"][0], admin=people["admin"][0])
    seed_committees(seed=seed)
    deals_fit_refresh()
    transaction.on_commit(analytics_compute)  # the demo opens with its analytics ready
    report.counts = {
        "users": User.objects.count(),
        "assets": Asset.objects.count(),
        "published assets": Asset.objects.filter(status=AssetStatus.PUBLISHED).count(),
        "deals": Deal.objects.count(),
        "stage changes": StageChange.objects.count(),
        "usage events": UsageEvent.objects.count(),
        "buying committee members": DealRole.objects.count(),
    }
    return report
