"""Reads of share links."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from enablement.sharing.models import ShareLink, ShareView


def share_link_by_token(token: str) -> ShareLink | None:
    """A share link with what the buyer's page shows; ask `unavailable_reason()` whether it is live."""
    return (
        ShareLink.objects.select_related("asset__current_version__rendition", "deal__account", "created_by")
        .filter(token=token)
        .first()
    )


def recent_views_for(user: AbstractBaseUser, *, limit: int = 10) -> list[ShareView]:
    """The latest views of links on the user's deals (or links they made on ownerless deals), for
    their home page. Only views the buyer's page reported: previews and scanners made none."""
    mine = Q(link__deal__owner=user) | Q(link__deal__owner__isnull=True, link__created_by=user)
    return list(
        ShareView.objects.filter(mine)
        .select_related("link__asset", "link__deal")
        .order_by("-viewed_at")[:limit]
    )
