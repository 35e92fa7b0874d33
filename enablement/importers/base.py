"""What every importer shares: its errors, the report, rows and batches. Reading CSV: csvfile.py;
values: parse.py; stages: stages.py; people: people.py.

Files are read row by row and written in batches, so memory stays flat however long the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 1000
Progress = Callable[[str, int, int], None]  # (file name, bytes read, bytes in all)


class ImportFailed(Exception):
    """The import cannot start or go on (a missing file, unmapped stages); nothing is written.

    `rows` are the `FILE:LINE: reason` lines behind the message, when there are any.
    """

    def __init__(self, message: str, rows: Iterable[str] = ()) -> None:
        self.message, self.rows = message, list(rows)
        super().__init__("\n".join([message, *self.rows]))


def no_deal_message(deal_id: str) -> str:
    """A row naming a deal the import does not know (the row-by-row and the set-based paths alike)."""
    return f"no deal with id {deal_id!r}."


class RowInvalid(Exception):
    """One row is wrong; the message says how."""


@dataclass
class FileCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class ImportReport:
    dry_run: bool = False
    skip_invalid: bool = False
    files: dict[str, FileCounts] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    written: bool = False
    seconds: float = 0.0  # the import, from reading the first file to the commit
    refresh_seconds: float | None = None  # the analytics refresh after it, when it ran in-process
    committee_deals: set[int] = field(default_factory=set)  # deals whose buying committee changed

    def counts(self, name: str) -> FileCounts:
        return self.files.setdefault(name, FileCounts())

    def reject(self, name: str, line: int, reason: str) -> None:
        self.counts(name).rejected += 1
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(f"{name}:{line}: {reason}")

    @property
    def changed(self) -> bool:
        """Whether any row was created or updated (a re-import of the same files changes nothing)."""
        return any(c.created or c.updated for c in self.files.values())

    @property
    def failed(self) -> bool:
        return self.error_count > 0 and not self.skip_invalid

    def as_dict(self) -> dict:
        return {name: vars(c) for name, c in self.files.items()}


class ErrorsOnly(ImportReport):
    """Passes a writer's errors to the real report without counting its rows as the file's rows
    (history rebuilt from deal rows is not a row of the file)."""

    def __init__(self, real: ImportReport) -> None:
        super().__init__()
        self.real = real

    def reject(self, name: str, line: int, reason: str) -> None:
        self.real.reject(name, line, reason)


class Row(NamedTuple):
    line: int
    data: dict[str, str]


def batches(rows: Iterable[Row], size: int = BATCH_SIZE) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
