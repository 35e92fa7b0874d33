"""Plain words for the figures: what the numbers allow us to say, and never more (an association in
past deals, never a cause)."""

from __future__ import annotations

from enablement.analytics.models import AssetStageMetric
from enablement.choices import Verdict


def points(value: float) -> str:
    return f"{abs(value) * 100:.0f}"


def _interval(low: float, high: float) -> str:
    return f"95% interval {low * 100:.0f} to {high * 100:.0f}"


def _later(m: AssetStageMetric) -> str:
    if not m.later_deals:
        return ""
    return f" {m.later_deals} other deal{'s' if m.later_deals != 1 else ''} used it only after the landmark."


def verdict_sentence(m: AssetStageMetric) -> str:
    stage = m.stage.name
    if m.verdict == Verdict.TOO_LITTLE or m.adjusted_lift is None:
        return (
            f"At {stage}: too few deals to tell yet ({m.exposed_deals} closed after using it before the "
            f"landmark, {m.unexposed_deals} without).{_later(m)}"
        )
    if m.verdict == Verdict.NO_EVIDENCE:
        return (
            f"At {stage}: no clear difference. Deals that used it converted {m.exposed_rate:.0%} of the "
            f"time, deals without it {m.unexposed_rate:.0%}; comparing deals of the same rep and quarter, "
            f"{points(m.adjusted_lift)} points ({_interval(m.adjusted_low, m.adjusted_high)}), which could "
            f"be chance.{_later(m)}"
        )
    direction = "more" if m.lift > 0 else "less"
    adjusted = "more" if m.adjusted_lift > 0 else "less"
    return (
        f"At {stage}: deals that used it converted {points(m.lift)} points {direction} often "
        f"({_interval(m.lift_low, m.lift_high)}); comparing deals of the same rep and quarter, "
        f"{points(m.adjusted_lift)} points {adjusted} often ({_interval(m.adjusted_low, m.adjusted_high)}). "
        f"This is an association with using it, not proof that the asset caused it.{_later(m)}"
    )
