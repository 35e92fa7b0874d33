"""The times the tracker takes in, one rule for every way in: the importers (enablement.importers.parse)
and the API's time fields (MomentField, and the lean check of usage events, enablement.usage.lean)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

# Dates outside these years are typing errors or placeholders (0001-01-01, 9999-12-31), and at the
# extremes an offset pushes them past what Python and the database store (year 1 becomes BC).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200

# Real offsets run from -12:00 to +14:00; PostgreSQL refuses any beyond 15:59.
MAX_UTC_OFFSET = timedelta(hours=14)


def moment_problem(moment: datetime) -> str | None:
    """What is wrong with a time as written (its year, its offset), said after the value; None if
    nothing is."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return f"is out of range (years {EARLIEST_YEAR} to {LATEST_YEAR} are accepted)."
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        return "has an offset out of range (-14:00 to +14:00)."
    return None


class MomentField(serializers.DateTimeField):
    """DRF's DateTimeField with the importers' rule: a year or an offset they refuse is refused here
    too, with the same words."""

    default_error_messages = {"moment": "{value!r} {problem}"}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                written = parse_datetime(value)
            except ValueError:
                written = None  # not a valid time: DRF's own message
            if written is not None and (problem := moment_problem(written)) is not None:
                self.fail("moment", value=value, problem=problem)
        return super().to_internal_value(value)
