"""The lean check of an API usage event: an event made of plain values (the shape every integration
sends) is checked field by field with a few comparisons and one date parse, giving what
UsageEventInSerializer would give; anything else (a missing or null field, a number where text is
expected, blanks around a value, a bad character, an unknown choice, a time in another form) is left to
the serializer, so every message stays the serializer's own.

What it checks against (lengths, choices, the slug's pattern) is read from the serializer's fields
(PlainRules.of), so the serializer stays the one definition; tests/enablement/api/test_lean_events.py
holds the two equal on generated events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.core.validators import RegexValidator
from rest_framework import serializers

from config.input_hygiene import UNSAFE_CHARACTERS
from enablement.moments import moment_problem


@dataclass(frozen=True)
class PlainRules:
    """What a serializer's fields accept, read once per batch: max_length per text field, the choices
    of `action` and `deal_source`, and the slug pattern of `asset`."""

    limits: dict[str, int]
    actions: frozenset[str]
    deal_sources: frozenset[str]
    slug: re.Pattern

    @classmethod
    def of(cls, serializer: serializers.Serializer) -> PlainRules:
        fields = serializer.fields
        (slug,) = (v.regex for v in fields["asset"].validators if isinstance(v, RegexValidator))
        return cls(
            limits={name: fields[name].max_length for name in ("event_id", "deal_id", "asset", "rep")},
            actions=frozenset(fields["action"].choices),
            deal_sources=frozenset(fields["deal_source"].choices),
            slug=slug,
        )


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


def plain_event(item: dict, zone: tzinfo, rules: PlainRules) -> dict | None:
    """The validated event as the serializer would give it, or None when the serializer must judge.
    `zone` is the current time zone, asked once per batch (asking costs more than parsing a time)."""
    limits = rules.limits
    for name in ("event_id", "deal_id"):
        if not _plain_text(item.get(name), limits[name]):
            return None
    asset, action = item.get("asset"), item.get("action")
    if type(asset) is not str or len(asset) > limits["asset"] or rules.slug.fullmatch(asset) is None:
        return None
    if type(action) is not str or action not in rules.actions:
        return None
    data = {"event_id": item["event_id"], "deal_id": item["deal_id"], "asset": asset, "action": action}
    if "deal_source" in item:
        if type(item["deal_source"]) is not str or item["deal_source"] not in rules.deal_sources:
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
