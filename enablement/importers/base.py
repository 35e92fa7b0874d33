"""What every importer shares: streamed CSV reading with line numbers and byte progress, value
parsers that say what is wrong, the report, and look-ups of stages and people.

Files are read row by row and written in batches, so memory stays flat however long the file.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from hashlib import sha1
from pathlib import Path
from typing import IO, NamedTuple

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import models
from django.db.models import Q

from assets.choices import Role
from assets.models import FunnelStage
from enablement.deals.models import StageMap

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 1000
MAX_LISTED_STAGES = 100  # a file of garbage must not make a message of a million names
Progress = Callable[[str, int, int], None]  # (file name, bytes read, bytes in all)

# Dates outside these years are typing errors or placeholders (0001-01-01, 9999-12-31), and at the
# extremes an offset pushes them past what Python and the database store (year 1 becomes BC).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
# Real offsets run from -12:00 to +14:00; PostgreSQL refuses any beyond 15:59.
MAX_UTC_OFFSET = timedelta(hours=14)
MAX_WHOLE_NUMBER = 2_147_483_647  # an integer column's upper bound on every database Django supports
MAX_AMOUNT = Decimal("1e14")  # Deal.amount has 16 digits, 2 of them after the point
# What the database cannot store: PostgreSQL refuses NUL in text, and bytes that are not UTF-8
# arrive as lone surrogates (the reader decodes with surrogateescape so it can name the line).
REFUSED_CHARACTER = re.compile("[\x00\ud800-\udfff]")
# What reading a damaged, truncated or unreadable file (or zip member) raises: a bad CRC, a cut-off
# deflate stream, an encrypted member, permissions.
READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)


class ImportFailed(Exception):
    """The import cannot start or go on (a missing file, unmapped stages); nothing is written.

    `rows` are the `FILE:LINE: reason` lines behind the message, when there are any.
    """

    def __init__(self, message: str, rows: Iterable[str] = ()) -> None:
        self.message, self.rows = message, list(rows)
        super().__init__("\n".join([message, *self.rows]))


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


class _CountingReader(io.RawIOBase):
    """Wraps a binary stream and reports how many bytes have been read, for progress."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None]) -> None:
        self.raw, self.on_read, self.done = raw, on_read, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.raw.read(len(buffer))
        buffer[: len(chunk)] = chunk
        self.done += len(chunk)
        self.on_read(self.done)
        return len(chunk)


@dataclass(frozen=True)
class UniqueColumn:
    """A column whose value names the row's record: it may appear only once in a file."""

    column: str
    label: str


@dataclass
class CsvFile:
    """One CSV file, on disk or inside a zip, read as a stream."""

    name: str
    size: int
    opener: Callable[[], AbstractContextManager[IO[bytes]]]
    where: str = ""  # its path, or the zip and the path inside it, for messages

    @classmethod
    def on_disk(cls, path: Path) -> CsvFile:
        return cls(name=path.name, size=path.stat().st_size, opener=lambda: path.open("rb"), where=str(path))

    @classmethod
    def in_zip(cls, archive: Path, info: zipfile.ZipInfo) -> CsvFile:
        @contextmanager
        def opener() -> Iterator[IO[bytes]]:
            with zipfile.ZipFile(archive) as opened, opened.open(info) as member:
                yield member

        return cls(
            name=Path(info.filename).name,
            size=info.file_size,
            opener=opener,
            where=f"{archive.name}: {info.filename}",
        )

    def rows(
        self,
        *,
        required: Iterable[str],
        report: ImportReport,
        progress: Progress | None = None,
        unique: UniqueColumn | None = None,
    ) -> Iterator[Row]:
        """Rows as dicts keyed by the (trimmed) header; malformed rows are reported and skipped.

        A row is malformed when its values do not match the header, when a value holds a character
        the database cannot store, or when its `unique` column repeats an earlier row's value (the
        first row stands; only the value and its line are kept, so memory stays flat).
        """
        on_read = (lambda n: progress(self.name, n, self.size)) if progress else (lambda n: None)
        try:
            with self.opener() as raw:
                text = io.TextIOWrapper(
                    io.BufferedReader(_CountingReader(raw, on_read)),
                    encoding="utf-8-sig",
                    errors="surrogateescape",
                    newline="",
                )
                yield from self._records(csv.reader(text), required, report, unique)
        except READ_ERRORS as exc:
            raise ImportFailed(f"{self.name} ({self.where}): the file cannot be read: {exc}.") from None

    def _records(
        self, reader, required: Iterable[str], report: ImportReport, unique: UniqueColumn | None
    ) -> Iterator[Row]:
        header = self._header(reader, required)
        first_seen: dict[str, int] = {}
        line = reader.line_num
        while True:
            try:
                values = next(reader, None)
            except csv.Error as exc:
                # The reader cannot find where the broken record ends, so no later line is reliable.
                raise ImportFailed(f"{self.name}:{line + 1}: {_csv_error(exc)}") from None
            if values is None:
                return
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                report.reject(self.name, start, f"{len(values)} values for {len(header)} columns.")
                continue
            refused = _refused_value(header, values)
            if refused:
                report.reject(self.name, start, refused)
                continue
            data = {k: v.strip() for k, v in zip(header, values, strict=True)}
            key = data.get(unique.column) if unique else None
            if key:
                if key in first_seen:
                    report.reject(
                        self.name,
                        start,
                        f"{unique.label} {key!r} appears again (first at line {first_seen[key]}).",
                    )
                    continue
                first_seen[key] = start
            yield Row(start, data)

    def _header(self, reader, required: Iterable[str]) -> list[str]:
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ImportFailed(f"{self.name}:1: {_csv_error(exc)}") from None
        if header is None:
            raise ImportFailed(f"{self.name}: the file is empty; it needs a header row.")
        # A byte-order mark may be doubled by tools that add one to a file that had one.
        header = [h.replace("\ufeff", "").strip() for h in header]
        if not any(header):
            raise ImportFailed(f"{self.name}:1: the first line is empty; it must be the header row.")
        refused = next((why for h in header if (why := refused_characters(h))), None)
        if refused:
            raise ImportFailed(f"{self.name}:1: the header {refused}")
        twice = [name for name, n in Counter(header).items() if name and n > 1]
        if twice:
            raise ImportFailed(
                f"{self.name}:1: column(s) {', '.join(map(repr, twice))} appear more than once."
            )
        missing = [c for c in required if c not in header]
        if missing:
            raise ImportFailed(f"{self.name}:1: missing column(s) {', '.join(missing)}.")
        return header


def refused_characters(value: str) -> str | None:
    """Why the database could not store `value` (as the end of a sentence), or None."""
    found = REFUSED_CHARACTER.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character."
    # surrogateescape turned each byte that is not UTF-8 into U+DC80…U+DCFF
    return f"is not UTF-8 text (byte 0x{ord(found.group()) & 0xFF:02X}); save the file as UTF-8."


def _refused_value(header: list[str], values: list[str]) -> str | None:
    for number, (name, value) in enumerate(zip(header, values, strict=True), start=1):
        if why := refused_characters(value):
            return f"{name or f'column {number}'} {why}"
    return None


def _csv_error(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return (
            f"a value is longer than {csv.field_size_limit():,} characters "
            "(is a quote left open?); nothing after it can be read."
        )
    return f"unreadable CSV ({exc})."


def find_files(path: Path, names: Iterable[str]) -> dict[str, CsvFile]:
    """The wanted files (matched by name, any case) in a folder or a zip, or the one file given.

    A name found twice (`deals.csv` and `Deals.csv`, or in two folders of a zip) is refused rather
    than one of them picked silently.
    """
    wanted = {n.lower(): n for n in names}
    found: dict[str, CsvFile] = {}

    def add(name: str, file: CsvFile) -> None:
        if name in found:
            raise ImportFailed(f"{path.name} holds {name} twice ({found[name].where} and {file.where}).")
        found[name] = file

    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.name.lower() not in wanted:
                continue
            if not child.is_file():
                raise ImportFailed(f"{child}: not a readable file (a folder, or a broken link?).")
            add(wanted[child.name.lower()], CsvFile.on_disk(child))
    elif path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
        try:
            with zipfile.ZipFile(path) as archive:
                infos = archive.infolist()
        except READ_ERRORS as exc:
            raise ImportFailed(f"{path.name}: not a readable zip file ({exc}).") from None
        for info in infos:
            base = Path(info.filename).name.lower()
            if not info.is_dir() and base in wanted:
                add(wanted[base], CsvFile.in_zip(path, info))
    elif path.is_file() and path.name.lower() in wanted:
        add(wanted[path.name.lower()], CsvFile.on_disk(path))
    elif path.is_file():
        raise ImportFailed(f"{path.name} is neither a zip file nor one of {', '.join(names)}.")
    elif path.exists():
        raise ImportFailed(f"{path}: not a file or a folder.")
    else:
        raise ImportFailed(f"{path}: no such file or folder.")
    return found


def batches(rows: Iterable[Row], size: int = BATCH_SIZE) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- values ---------------------------------------------------------------------------------------


def parse_when(value: str, column: str) -> datetime:
    """ISO 8601 and the forms CRMs export (`2018-10-13 17:16:45`, `2024-01-22T16:14:25.000+0000`,
    a bare date); a time without an offset is UTC. Years outside EARLIEST_YEAR…LATEST_YEAR and
    offsets beyond MAX_UTC_OFFSET are refused."""
    if not value:
        raise RowInvalid(f"{column} is empty.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise RowInvalid(f"{column} {value!r} is not a date or time (use 2025-03-01T14:05:00Z).") from None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise RowInvalid(
            f"{column} {value!r} is out of range (years {EARLIEST_YEAR} to {LATEST_YEAR} are accepted)."
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if abs(parsed.utcoffset()) > MAX_UTC_OFFSET:
        raise RowInvalid(f"{column} {value!r} has an offset out of range (-14:00 to +14:00).")
    return parsed


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


def _choice_key(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text).strip().casefold()


@cache
def _choice_index(choices: type[models.TextChoices]) -> dict[str, str]:
    index = {}
    for value, label in choices.choices:
        index[_choice_key(str(label))] = value
        index[_choice_key(value)] = value
    return index


def parse_choice(value: str, choices: type[models.TextChoices], column: str) -> str:
    """A choice by its value or its label, in any case, with `-`, `_` and a space taken as the same:
    `one-pager`, `One pager` and `one_pager` are all AssetKind.ONE_PAGER."""
    found = _choice_index(choices).get(_choice_key(value))
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


# --- stages ---------------------------------------------------------------------------------------


class StageResolver:
    """Maps a CRM's stage names (or ids) to funnel stages.

    Looks first in the stage map of the source (admin-edited, plus `--stage-map`), then accepts a
    name or slug that is already a funnel stage's, in any case.
    """

    def __init__(self, source: str) -> None:
        stages = list(FunnelStage.objects.all())
        self.known = {s.slug.lower(): s for s in stages} | {s.name.lower(): s for s in stages}
        self.mapped = {
            m.crm_stage.lower(): m.stage
            for m in StageMap.objects.filter(source=source).select_related("stage")
        }

    def get(self, name: str) -> FunnelStage | None:
        key = name.strip().lower()
        return self.mapped.get(key) or self.known.get(key)

    def require_all(self, seen: dict[str, str]) -> None:
        """`seen` maps each stage name to where it first appears; every one must be mapped."""
        unmapped = [f"{name!r} ({where})" for name, where in seen.items() if self.get(name) is None]
        if unmapped:
            listed = ", ".join(unmapped[:MAX_LISTED_STAGES])
            if len(unmapped) > MAX_LISTED_STAGES:
                listed += f" and {len(unmapped) - MAX_LISTED_STAGES} more"
            raise ImportFailed(
                f"{len(unmapped)} CRM stage name(s) have no funnel stage: {listed}. "
                "Map them in the admin (Stage mappings) or with --stage-map FILE "
                "(columns crm_stage,stage_slug)."
            )


def stage_map_load(path: Path, *, source: str) -> int:
    """Store the mappings of a `crm_stage,stage_slug` CSV for this source; returns how many."""
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    report = ImportReport()
    file = CsvFile.on_disk(path) if path.is_file() else None
    if file is None:
        raise ImportFailed(f"{path}: no such stage map file.")
    pairs = []
    for row in file.rows(required=["crm_stage", "stage_slug"], report=report):
        slug = row.data["stage_slug"]
        try:
            crm_stage = required(row.data, "crm_stage", StageMap._meta.get_field("crm_stage").max_length)
        except RowInvalid as exc:
            report.reject(file.name, row.line, str(exc))
            continue
        if slug not in stages:
            report.reject(file.name, row.line, f"no funnel stage with slug {slug!r}.")
        else:
            pairs.append((crm_stage, stages[slug]))
    if report.error_count:
        raise ImportFailed(
            f"The stage map has {report.error_count} error(s); nothing was imported.", report.errors
        )
    for crm_stage, stage in pairs:
        StageMap.objects.update_or_create(source=source, crm_stage=crm_stage, defaults={"stage": stage})
    return len(pairs)


# --- people ---------------------------------------------------------------------------------------


class People:
    """Finds deal owners and reps; unknown ones become active Reps with no usable password."""

    def __init__(self) -> None:
        self._cache: dict[str, User] = {}
        self._reps = Group.objects.get(name=Role.REPS)

    def by_email(self, email: str, *, first_name: str = "", last_name: str = "") -> User:
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise RowInvalid(f"{email!r} is not an email address.") from None
        if len(email) > User._meta.get_field("email").max_length:
            raise RowInvalid(f"{email!r} is longer than an email address may be (254 characters).")
        if email not in self._cache:
            user = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
            self._cache[email] = user or self._create(
                _username_for(email), email=email, first_name=first_name, last_name=last_name
            )
        return self._cache[email]

    def by_username(self, username: str, *, first_name: str = "", last_name: str = "") -> User:
        username = username[:150]
        if username not in self._cache:
            user = User.objects.filter(username=username).first()
            self._cache[username] = user or self._create(username, first_name=first_name, last_name=last_name)
        return self._cache[username]

    def _create(self, username: str, **fields: str) -> User:
        user = User(username=username, **fields)
        user.set_unusable_password()
        user.save()
        user.groups.add(self._reps)
        return user


def _username_for(email: str) -> str:
    """The email itself, or for one longer than a username may be, its start and a hash of the
    rest, so two long addresses that share their first 150 characters stay two users."""
    if len(email) <= 150:
        return email
    return f"{email[:141]}-{sha1(email.encode()).hexdigest()[:8]}"
