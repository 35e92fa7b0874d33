"""The lean check of an API usage event: an event made of plain values (the shape every integration
sends) is checked field by field with a few comparisons and one date parse, giving what
UsageEventInSerializer would give; anything else (a missing or null field, a number where text is
expected, blanks around a value, a bad character, an unknown choice, a time in another form) is left to
the serializer, so every message stays the serializer's own.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from config.input_hygiene import UNSAFE_CHARACTERS
from enablement.choices import DealSource, UsageAction
from enablement.moments import moment_problem

ACTIONS = frozenset(UsageAction.values)
DEAL_SOURCES = frozenset(DealSource.values)
SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # DRF's SlugField


def _plain_text(value, limit: int) -> bool:
    return (
        type(value) is str
        and 0 < len(value) <= limit
        and not value[0].isspace()
        and not value[-1].isspace()
        # What DRF's CharField refuses: NUL, surrogates (blanks at either end are checked above).
        and UNSAFE_CHARACTERS.search(value) is None
    )


def _when(value, zone: tzinfo) -> datetime | None:
    """DateTimeField's result for an ISO 8601 time with an offset (parse_datetime tries
    fromisoformat first; the field then converts to the current time zone), or None."""
    if type(value) is not str:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None or moment_problem(parsed) is not None:
            return None  # the serializer's message (enablement.moments.MomentField)
        return parsed.astimezone(zone)
    except (ValueError, OverflowError):
        return None


def plain_event(item: dict, zone: tzinfo, limits: dict[str, int]) -> dict | None:
    """The validated event as the serializer would give it, or None when the serializer must judge.
    `zone` is the current time zone, asked once per batch (asking costs more than parsing a time);
    `limits` the serializer's max_length per field (event_id, deal_id, asset, rep)."""
    for name in ("event_id", "deal_id"):
        if not _plain_text(item.get(name), limits[name]):
            return None
    asset, action = item.get("asset"), item.get("action")
    if type(asset) is not str or len(asset) > limits["asset"] or SLUG.fullmatch(asset) is None:
        return None
    if type(action) is not str or action not in ACTIONS:
        return None
    data = {"event_id": item["event_id"], "deal_id": item["deal_id"], "asset": asset, "action": action}
    if "deal_source" in item:
        if type(item["deal_source"]) is not str or item["deal_source"] not in DEAL_SOURCES:
            return None
        data["deal_source"] = item["deal_source"]
    if "rep" in item:
        if not _plain_text(item["rep"], limits["rep"]):
            return None
        data["rep"] = item["rep"]
    if "occurred_at" in item:
        when = _when(item["occurred_at"], zone)
        if when is None:
            return None
        data["occurred_at"] = when
    return data
