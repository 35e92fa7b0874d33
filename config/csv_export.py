"""CSV files people open in a spreadsheet: every export of the product is written through here.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (CSV injection: `=HYPERLINK(…)` in a deal's name would become a live
link, `=cmd|…` a command). Such cells are written with a leading apostrophe, which spreadsheets show
as text and do not evaluate. Numbers are written as they are: `-0.27` is a lift, not a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: object) -> object:
    """The value as a spreadsheet should read it: text that would start a formula is quoted."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose rows are made safe for spreadsheets, cell by cell."""

    def __init__(self, stream: _Writable) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
