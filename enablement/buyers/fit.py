"""A deal's fit to the approved ideal buyer profile: 0–10 with its reasons in words.

Industry 3 points, company size 2, region 2, and 3 for the buyer roles the profile expects by the
deal's stage, in proportion to those present. A criterion the profile leaves empty accepts anything.
Pure functions over plain values, so the rule can be read and tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

POINTS = {"industry": 3, "size": 2, "region": 2, "roles": 3}
_BAND = re.compile(r"^\s*(\d[\d,]*)\s*(?:[-–]\s*(\d[\d,]*)|(\+))?\s*$")


@dataclass(frozen=True)
class ProfileTerms:
    """What the fit needs from a profile: lists in lower case, and the roles expected per stage order."""

    industries: tuple[str, ...]
    size_bands: tuple[str, ...]
    regions: tuple[str, ...]
    threshold: int
    # (stage order, stage name, role id, role name) of every expected role
    expected: tuple[tuple[int, str, int, str], ...] = ()


@dataclass
class DealFacts:
    industry: str = ""
    size: str = ""
    region: str = ""
    stage_order: int | None = None  # the current open stage's order (-1: no history yet); None: closed
    stage_name: str = ""
    roles: set[int] = field(default_factory=set)


def band_range(band: str) -> tuple[int, int | None] | None:
    """ "201-1000" → (201, 1000); "5001+" → (5001, None); "250" → (250, 250); else None (also for
    "1000-500", whose upper bound is below its lower one: no company would ever fall inside it)."""
    m = _BAND.match(band)
    if not m:
        return None
    low = int(m.group(1).replace(",", ""))
    if m.group(3):
        return low, None
    high = int(m.group(2).replace(",", "")) if m.group(2) else low
    return (low, high) if low <= high else None


def _in_bands(size: str, bands: tuple[str, ...]) -> bool:
    """A size is in the profile when it names a band exactly, or its number falls inside one."""
    wanted = {b.strip().lower() for b in bands}
    if size.strip().lower() in wanted:
        return True
    measured = band_range(size)
    if measured is None or measured[1] is None or measured[0] != measured[1]:
        return False
    employees = measured[0]
    for band in bands:
        r = band_range(band)
        if r and r[0] <= employees and (r[1] is None or employees <= r[1]):
            return True
    return False


def _listed(label: str, value: str, allowed: tuple[str, ...], points: int) -> tuple[int, str]:
    if not allowed:
        return points, f"Any {label} is in the profile (+{points})."
    if not value:
        return 0, f"The account's {label} is not known (+0)."
    if value.strip().lower() in {a.strip().lower() for a in allowed}:
        return points, f"{label.capitalize()} “{value}” is in the profile (+{points})."
    return 0, f"{label.capitalize()} “{value}” is not in the profile ({', '.join(allowed)}) (+0)."


def deal_fit(terms: ProfileTerms, facts: DealFacts, role_names: dict[int, str]) -> tuple[int, list[str]]:
    """(score 0–10, reasons) of one deal against the profile."""
    score, reason = _listed("industry", facts.industry, terms.industries, POINTS["industry"])
    reasons = [reason]
    if not terms.size_bands:
        points, reason = POINTS["size"], f"Any company size is in the profile (+{POINTS['size']})."
    elif not facts.size:
        points, reason = 0, "The account's size is not known (+0)."
    elif _in_bands(facts.size, terms.size_bands):
        points, reason = (
            POINTS["size"],
            f"Size “{facts.size}” is within the profile's bands (+{POINTS['size']}).",
        )
    else:
        bands = ", ".join(terms.size_bands)
        points, reason = 0, f"Size “{facts.size}” is outside the profile's bands ({bands}) (+0)."
    score, reasons = score + points, [*reasons, reason]
    points, reason = _listed("region", facts.region, terms.regions, POINTS["region"])
    score, reasons = score + points, [*reasons, reason]
    points, reason = _roles(terms, facts, role_names)
    return min(10, score + points), [*reasons, reason]


def _roles(terms: ProfileTerms, facts: DealFacts, role_names: dict[int, str]) -> tuple[int, str]:
    full = POINTS["roles"]
    due = {
        role_id
        for order, _, role_id, _ in terms.expected
        if facts.stage_order is None or order <= facts.stage_order
    }
    if facts.stage_order is None:
        where = "in the profile"
    else:  # a deal with no history yet is at order -1: before every stage (orders start at 0)
        where = f"by {facts.stage_name}" if facts.stage_name else "before its first stage"
    if not due:
        return full, f"No buyer role is expected {where} (+{full})."
    present = sorted(role_names[r] for r in due & facts.roles)
    missing = sorted(role_names[r] for r in due - facts.roles)
    points = round(full * len(present) / len(due))
    said = f"{len(present)} of {len(due)} buyer roles expected {where} are in the room"
    if present:
        said += f" ({', '.join(present)})"
    if missing:
        said += f"; missing {', '.join(missing)}"
    return points, f"{said} (+{points})."
