"""What the demo plants, so its analytics have something true to find (documented in docs/getting-started.md,
*The demo organisation*): two assets that raise the chance of advancing from a stage, one that lowers
it, one used far more by the strongest reps while doing nothing itself, and every other asset a null.

Reps differ in skill (their chance to advance a deal moves by up to 12 points either way); the
planted assets are reached for early in the stay and more often than the rest, so the default demo
(2,000 deals) holds enough deals to tell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# slug → {stage: change in the chance to advance from that stage when a rep used it there}
PLANTED = {
    "insight-cloud-roi-calculator": {"proposal": 0.28},
    "contoso-healthcare-case-study": {"discovery": 0.28},
    "insight-cloud-first-meeting-deck": {"discovery": -0.28},
}
# Used far more by the strongest reps, no effect of its own: compared within each rep, nothing.
STRONG_REPS = "insight-cloud-vs-the-incumbent-battlecard"
# Deal rooms are made at these stages; buyers read what is in them.
ROOM_STAGES = {"proposal": 0.7, "negotiation": 0.5}


def use_chance(slug: str, stage: str, skill: float) -> float:
    """How likely a rep is to use an asset made for the stage, during one stay there."""
    if stage in PLANTED.get(slug, {}):
        return 0.45
    if slug == STRONG_REPS:  # skill runs from −0.12 to 0.12: from 4% for the weakest to 64%
        return 0.04 + 2.5 * (skill + 0.12)
    return 0.25


def effect(slug: str, stage: str) -> float:
    return PLANTED.get(slug, {}).get(stage, 0.0)


def early(slug: str, stage: str) -> bool:
    """Planted assets are used in the first days of the stay (before the stage's landmark, mostly)."""
    return stage in PLANTED.get(slug, {}) or slug == STRONG_REPS


@dataclass
class Visit:
    at: datetime
    seconds: dict[int, float]  # asset id → seconds read in this visit


@dataclass
class Room:
    """A deal room the rep made during one stay, and the buyer's visits to it."""

    at: datetime
    asset_ids: list[int]
    visits: list[Visit] = field(default_factory=list)
