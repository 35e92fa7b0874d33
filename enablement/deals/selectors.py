"""Reads of deals, with the visibility rule: reps see their own deals only."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from enablement.deals.models import Deal


def deals_visible_to(user: AbstractBaseUser) -> QuerySet[Deal]:
    """Reps see the deals they own; marketing and admins see every deal."""
    qs = Deal.objects.select_related("account", "owner", "current_stage")
    if user.has_perm("enablement.view_all_deals"):
        return qs
    return qs.filter(owner=user)


def open_deals_of(user: AbstractBaseUser) -> QuerySet[Deal]:
    """The user's own open deals, most recently active first."""
    return deals_visible_to(user).filter(owner=user, closed_at__isnull=True).order_by("-updated_at", "-pk")
