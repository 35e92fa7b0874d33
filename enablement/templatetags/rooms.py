"""Deal-room figures for pages that other packages render (the asset analytics page)."""

from __future__ import annotations

from django import template

from assets.models import Asset
from enablement.rooms.selectors import asset_engagement

register = template.Library()


@register.simple_tag
def buyer_engagement(asset: Asset):
    return asset_engagement(asset)
