"""Reads of deals, with the visibility rule: reps see their own deals only."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When

from assets.models import FunnelStage
from enablement.deals.models import Deal, StageChange


def deals_visible_to(user: AbstractBaseUser) -> QuerySet[Deal]:
    """Reps see the deals they own; marketing and admins see every deal."""
    qs = Deal.objects.select_related("account", "owner", "current_stage")
    if user.has_perm("enablement.view_all_deals"):
        return qs
    return qs.filter(owner=user)


def open_deals_of(user: AbstractBaseUser) -> QuerySet[Deal]:
    """The user's own open deals, most recently active first."""
    return deals_visible_to(user).filter(owner=user, closed_at__isnull=True).order_by("-updated_at", "-pk")


DEAL_STATUSES = {"open": "Open", "won": "Won", "lost": "Lost"}


def deal_list(
    user: AbstractBaseUser,
    *,
    q: str = "",
    stage: FunnelStage | None = None,
    status: str = "",
    owner: AbstractBaseUser | None = None,
) -> QuerySet[Deal]:
    """The deals the user may see, open ones first (most recently active first, as on the home page),
    then closed ones (most recently closed first), each with `stage_since`; filtered by words in the
    deal's or account's name, current stage, open/won/lost and owner."""
    deals = deals_visible_to(user)
    for word in q.split():
        deals = deals.filter(Q(name__icontains=word) | Q(account__name__icontains=word))
    if stage is not None:
        deals = deals.filter(current_stage=stage)
    if status == "open":
        deals = deals.filter(closed_at__isnull=True)
    elif status in ("won", "lost"):
        deals = deals.filter(closed_at__isnull=False, current_stage__outcome=status)
    if owner is not None:
        deals = deals.filter(owner=owner)
    open_first = Case(When(closed_at__isnull=True, then=Value(0)), default=Value(1))
    # When the deal entered its current stage: its latest history row (read for the page's rows only).
    latest = StageChange.objects.filter(deal=OuterRef("pk")).order_by("-entered_at", "-pk")
    return deals.annotate(stage_since=Subquery(latest.values("entered_at")[:1])).order_by(
        open_first, F("closed_at").desc(nulls_last=True), "-updated_at", "-pk"
    )
