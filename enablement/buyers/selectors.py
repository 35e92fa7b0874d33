"""Reads of the buyer profile, deals' fit and committees for the portal's pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from enablement.buyers.models import BuyerProfile, DealRole, ProfileStatus, Qualification
from enablement.deals.models import Deal


def latest_profile() -> BuyerProfile | None:
    """What a new proposal starts from: the approved profile, else the newest version."""
    versions = BuyerProfile.objects.prefetch_related("roles")
    return versions.filter(status=ProfileStatus.APPROVED).first() or versions.first()


def pending_profiles() -> QuerySet[BuyerProfile]:
    return _versions().filter(status=ProfileStatus.PROPOSED)


def profile_history() -> QuerySet[BuyerProfile]:
    return _versions()


def _versions() -> QuerySet[BuyerProfile]:
    return BuyerProfile.objects.select_related("proposed_by", "decided_by").prefetch_related(
        "roles__stage", "roles__role"
    )


def fit_summary() -> dict:
    """How many deals (and open deals) are in profile, out of it, or not scored."""
    return Deal.objects.aggregate(
        scored=Count("pk", filter=Q(in_profile__isnull=False)),
        inside=Count("pk", filter=Q(in_profile=True)),
        open_scored=Count("pk", filter=Q(in_profile__isnull=False, closed_at=None)),
        open_in=Count("pk", filter=Q(in_profile=True, closed_at=None)),
    )


def expected_by_stage(profile: BuyerProfile) -> list[tuple]:
    """[(stage, [role, …]), …] in stage order, from a profile fetched with `_versions()`."""
    grouped: dict = {}
    for pr in sorted(profile.roles.all(), key=lambda pr: (pr.stage.order, pr.role.name)):
        grouped.setdefault(pr.stage, []).append(pr.role)
    return list(grouped.items())


def roles_in_room(deal_ids: Iterable[int]) -> dict[int, set[int]]:
    """{deal id: the buyer roles on its committee} for these deals, in one query."""
    in_room: dict[int, set[int]] = {}
    for deal_id, role_id in DealRole.objects.filter(deal_id__in=list(deal_ids)).values_list(
        "deal_id", "role_id"
    ):
        in_room.setdefault(deal_id, set()).add(role_id)
    return in_room


def committee_of(deal: Deal) -> list[DealRole]:
    return list(DealRole.objects.filter(deal=deal).select_related("role").order_by("role__name", "contact"))


def qualification_of(deal: Deal) -> Qualification | None:
    return Qualification.objects.filter(deal=deal).first()
