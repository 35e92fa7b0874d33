"""Reads of the catalogue."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assets.choices import AssetStatus
from assets.models import Asset


def assets_visible_to(user: AbstractBaseUser) -> QuerySet[Asset]:
    """Reps see published assets only; marketing and admins see every status."""
    qs = Asset.objects.all()
    if not user.has_perm("assets.view_unpublished_asset"):
        qs = qs.filter(status=AssetStatus.PUBLISHED)
    return qs


def assets_due_for_review(*, today: date) -> QuerySet[Asset]:
    """Published assets whose review-by date has passed."""
    return Asset.objects.filter(status=AssetStatus.PUBLISHED, review_by__lt=today).select_related("owner")


def visible_asset_or_404(user: AbstractBaseUser, slug: str) -> Asset:
    """The asset for its pages. Another status than published is a 404 for reps: an unpublished asset
    does not exist for them."""
    return get_object_or_404(assets_visible_to(user).select_related("current_version", "owner"), slug=slug)
