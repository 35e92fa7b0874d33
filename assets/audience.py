"""The rule that keeps internal material away from buyers, asked by every path that could reach one
(share links, deal rooms, their forms, the admin, the API) and by the buyer's pages."""

from __future__ import annotations

from django.db.models import Q

from assets.choices import INTERNAL_BY_DEFAULT, AssetStatus, Audience
from assets.models import Asset


def audience_default(kind: str) -> str:
    return Audience.INTERNAL if kind in INTERNAL_BY_DEFAULT else Audience.EXTERNAL


def internal_refusal(asset: Asset) -> str | None:
    """The message for anything that would put `asset` before a buyer, or None when it may go."""
    if asset.audience != Audience.INTERNAL:
        return None
    return (
        f"“{asset}” is internal only, so it cannot be shared with a buyer or put in a deal room. "
        "Marketing can change its audience in the content studio."
    )


def for_buyers(prefix: str = "") -> Q:
    """Assets a buyer may open now: published and shareable (`prefix` reaches them through a relation)."""
    return Q(**{f"{prefix}status": AssetStatus.PUBLISHED, f"{prefix}audience": Audience.EXTERNAL})
