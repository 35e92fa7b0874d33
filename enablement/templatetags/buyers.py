from __future__ import annotations

from django import template

from enablement.buyers.selectors import expected_by_stage

register = template.Library()


@register.filter
def expected_roles(profile) -> list[tuple]:
    """A profile's expected buyer roles grouped by stage, in stage order."""
    return expected_by_stage(profile)
