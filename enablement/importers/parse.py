"""Value parsers for CSV cells: each returns the value or raises RowInvalid saying what is wrong."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models

from enablement.importers.base import RowInvalid
from enablement.moments import moment_problem

MAX_WHOLE_NUMBER = 2_147_483_647  # an integer column's upper bound on every database Django supports


MAX_AMOUNT = Decimal("1e14")  # Deal.amount has 16 digits, 2 of them after the point


def parse_when(value: str, column: str) -> datetime:
    """ISO 8601 and the forms CRMs export (`2018-10-13 17:16:45`, `2024-01-22T16:14:25.000+0000`,
    a bare date); a time without an offset is UTC. Years and offsets enablement.moments refuses are
    refused."""
    if not value:
        raise RowInvalid(f"{column} is empty.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise RowInvalid(f"{column} {value!r} is not a date or time (use 2025-03-01T14:05:00Z).") from None
    if (problem := moment_problem(parsed)) is not None:
        raise RowInvalid(f"{column} {value!r} {problem}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_date_as_time(value: str, column: str) -> datetime:
    parsed = parse_when(value, column)
    return datetime.combine(parsed.date(), time(), tzinfo=UTC) if len(value) == 10 else parsed


def parse_amount(value: str, column: str) -> Decimal | None:
    if not value:
        return None
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise RowInvalid(f"{column} {value!r} is not a number.") from None
    if not amount.is_finite() or amount < 0:
        raise RowInvalid(f"{column} {value!r} must be a positive number.")
    # Checked before rounding (a huge exponent cannot be rounded) and after (99999999999999.999
    # rounds up to 10^14).
    if amount >= MAX_AMOUNT or (amount := amount.quantize(Decimal("0.01"))) >= MAX_AMOUNT:
        raise RowInvalid(f"{column} {value!r} is too large (at most {MAX_AMOUNT - Decimal('0.01'):,}).")
    return amount


def parse_whole(value: str, column: str, *, high: int = MAX_WHOLE_NUMBER) -> int:
    """A whole number from 0 to `high`; `1e20` or `2.0` is not one."""
    try:
        number = int(value)
    except ValueError:
        raise RowInvalid(f"{column} {value!r} is not a whole number.") from None
    if not 0 <= number <= high:
        raise RowInvalid(f"{column} {value!r} is out of range (0 to {high}).")
    return number


def parse_score(value: str, column: str, *, high: int, places: int | None = None) -> Decimal | None:
    """A number from 0 to `high`, or None when empty; with `places`, at most that many decimals
    (a score in tenths is `7.5`, never `7.25`: nothing is rounded away silently)."""
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():  # `high`, `NaN` and `Infinity` alike
        raise RowInvalid(f"{column} {value!r} is not a number.")
    if not 0 <= number <= high:
        raise RowInvalid(f"{column} {value!r} is out of range (0 to {high}).")
    if places is not None:
        step = Decimal(1).scaleb(-places)
        if number != number.quantize(step):
            raise RowInvalid(f"{column} {value!r} has more than {places} decimal place(s).")
        number = number.quantize(step)
    return number


def parse_bool(value: str, column: str) -> bool:
    word = value.lower()
    if word in {"1", "true", "yes"}:
        return True
    if word in {"0", "false", "no", ""}:
        return False
    raise RowInvalid(f"{column} {value!r} is not a boolean (1/0 or true/false).")


def parse_currency(value: str) -> str:
    if not value:
        return "USD"
    # ASCII only: "ß".upper() is "SS", and a three-letter code must stay three letters.
    if len(value) != 3 or not (value.isascii() and value.isalpha()):
        raise RowInvalid(f"currency {value!r} is not a three-letter code such as USD.")
    return value.upper()


@lru_cache(maxsize=4096)  # a column of choices holds a few spellings, read a million times
def loose_key(text: str) -> str:
    """`text` in any case, with `-`, `_` and runs of spaces taken as one space: "One_pager" is "one pager"."""
    return re.sub(r"[\s_-]+", " ", text).strip().casefold()


@cache
def _choice_index(choices: type[models.TextChoices]) -> dict[str, str]:
    index = {}
    for value, label in choices.choices:
        index[loose_key(str(label))] = value
        index[loose_key(value)] = value
    return index


def parse_choice(value: str, choices: type[models.TextChoices], column: str) -> str:
    """A choice by its value or its label, in any case, with `-`, `_` and a space taken as the same:
    `one-pager`, `One pager` and `one_pager` are all AssetKind.ONE_PAGER."""
    found = _choice_index(choices).get(loose_key(value))
    if found is None:
        raise RowInvalid(f"{column} {value!r} is not one of {', '.join(choices.values)}.")
    return found


def optional(data: dict[str, str], column: str, max_length: int = 255) -> str:
    value = data.get(column, "")
    if len(value) > max_length:
        raise RowInvalid(f"{column} is longer than {max_length} characters.")
    return value


def required(data: dict[str, str], column: str, max_length: int = 255) -> str:
    value = optional(data, column, max_length)
    if not value:
        raise RowInvalid(f"{column} is empty.")
    return value


def required_slug(data: dict[str, str], column: str, max_length: int) -> str:
    value = required(data, column, max_length)
    try:
        validate_slug(value)
    except ValidationError:
        raise RowInvalid(f"{column} {value!r} is not a slug (letters, digits, - and _ only).") from None
    return value
