"""Plain words for the figures: what the numbers allow us to say, and never more (no causation)."""

from __future__ import annotations

from enablement.analytics.models import AssetStageMetric
from enablement.choices import Verdict


def points(value: float) -> str:
    return f"{abs(value) * 100:.0f}"


def verdict_sentence(m: AssetStageMetric) -> str:
    stage = m.stage.name
    if m.verdict == Verdict.TOO_LITTLE:
        return (
            f"At {stage}: too few deals to tell yet ({m.exposed_deals} closed with it, "
            f"{m.unexposed_deals} without)."
        )
    if m.verdict == Verdict.NO_EVIDENCE or m.lift is None:
        return (
            f"At {stage}: no evidence either way. Deals that used it converted {m.exposed_rate:.0%} of the "
            f"time, others {m.unexposed_rate:.0%}; the difference could be chance or which reps use it."
        )
    direction = "more" if m.lift > 0 else "less"
    same_rep = "more" if m.adjusted_lift > 0 else "less"
    return (
        f"At {stage}: deals that used it converted {points(m.lift)} points {direction} often "
        f"(95% interval {m.lift_low * 100:.0f} to {m.lift_high * 100:.0f}); comparing each rep's own deals, "
        f"{points(m.adjusted_lift)} points {same_rep} often. This is an association, not proof that the "
        f"asset caused it."
    )
