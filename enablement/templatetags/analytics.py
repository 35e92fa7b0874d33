"""The analytics' words in templates: `{{ m.adjusted_lift|pts }}`, `{{ m|fcr_interval }}`,
`{{ seconds|duration }}` (the rules in enablement.analytics.wording)."""

from __future__ import annotations

from django import template

from enablement.analytics import wording
from enablement.analytics.models import AssetStageMetric

register = template.Library()


@register.filter
def pts(value: float | None) -> str:
    """A difference of rates in signed percentage points: "+15", "−8"."""
    return "—" if value is None else wording.points(value)


@register.filter
def fcr_interval(m: AssetStageMetric) -> str:
    """The interval beside the row's verdict: "+9 to +21"."""
    if m.adjusted_fcr_low is None:
        return "—"
    return wording.interval(m.adjusted_fcr_low, m.adjusted_fcr_high)


@register.filter
def duration(seconds: float | None) -> str:
    return wording.duration(seconds)
