"""What every importer shares: streamed CSV reading with line numbers and byte progress, value
parsers that say what is wrong, the report, and look-ups of stages and people.

Files are read row by row and written in batches, so memory stays flat however long the file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, NamedTuple

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q

from assets.choices import Role
from assets.models import FunnelStage
from enablement.models import StageMap

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 1000
Progress = Callable[[str, int, int], None]  # (file name, bytes read, bytes in all)


class ImportFailed(Exception):
    """The import cannot start or go on (a missing file, unmapped stages); nothing is written."""


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


@dataclass
class CsvFile:
    """One CSV file, on disk or inside a zip, read as a stream."""

    name: str
    size: int
    opener: Callable[[], IO[bytes]]

    @classmethod
    def on_disk(cls, path: Path) -> CsvFile:
        return cls(name=path.name, size=path.stat().st_size, opener=lambda: path.open("rb"))

    @classmethod
    def in_zip(cls, archive: Path, info: zipfile.ZipInfo) -> CsvFile:
        def opener() -> IO[bytes]:
            return zipfile.ZipFile(archive).open(info)

        return cls(name=Path(info.filename).name, size=info.file_size, opener=opener)

    def rows(
        self, *, required: Iterable[str], report: ImportReport, progress: Progress | None = None
    ) -> Iterator[Row]:
        """Rows as dicts keyed by the (trimmed) header; malformed rows are reported and skipped."""
        on_read = (lambda n: progress(self.name, n, self.size)) if progress else (lambda n: None)
        with self.opener() as raw:
            text = io.TextIOWrapper(
                io.BufferedReader(_CountingReader(raw, on_read)), encoding="utf-8-sig", newline=""
            )
            reader = csv.reader(text)
            try:
                header = [h.strip() for h in next(reader, [])]
                if not header:
                    raise ImportFailed(f"{self.name}: the file is empty; it needs a header row.")
                missing = [c for c in required if c not in header]
                if missing:
                    raise ImportFailed(f"{self.name}:1: missing column(s) {', '.join(missing)}.")
                line = reader.line_num
                for values in reader:
                    start, line = line + 1, reader.line_num
                    if not any(v.strip() for v in values):
                        continue
                    if len(values) != len(header):
                        report.reject(self.name, start, f"{len(values)} values for {len(header)} columns.")
                        continue
                    yield Row(start, {k: v.strip() for k, v in zip(header, values, strict=True)})
            except UnicodeDecodeError as exc:
                raise ImportFailed(
                    f"{self.name}: not UTF-8 text ({exc.reason} at byte {exc.start})."
                ) from None
            except csv.Error as exc:
                raise ImportFailed(f"{self.name}:{reader.line_num}: unreadable CSV ({exc}).") from None


def find_files(path: Path, names: Iterable[str]) -> dict[str, CsvFile]:
    """The wanted files (matched by name, any case) in a folder or a zip."""
    wanted = {n.lower(): n for n in names}
    found: dict[str, CsvFile] = {}
    if path.is_dir():
        for child in path.iterdir():
            if child.is_file() and child.name.lower() in wanted:
                found[wanted[child.name.lower()]] = CsvFile.on_disk(child)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                base = Path(info.filename).name.lower()
                if not info.is_dir() and base in wanted:
                    found[wanted[base]] = CsvFile.in_zip(path, info)
    elif path.is_file() and path.name.lower() in wanted:
        found[wanted[path.name.lower()]] = CsvFile.on_disk(path)
    elif not path.exists():
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
    a bare date); a time without an offset is UTC."""
    if not value:
        raise RowInvalid(f"{column} is empty.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise RowInvalid(f"{column} {value!r} is not a date or time (use 2025-03-01T14:05:00Z).") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
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
    if amount >= Decimal("1e14"):
        raise RowInvalid(f"{column} {value!r} is too large.")
    return amount.quantize(Decimal("0.01"))


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
    if len(value) != 3 or not value.isalpha():
        raise RowInvalid(f"currency {value!r} is not a three-letter code such as USD.")
    return value.upper()


def required(data: dict[str, str], column: str, max_length: int = 255) -> str:
    value = data.get(column, "")
    if not value:
        raise RowInvalid(f"{column} is empty.")
    if len(value) > max_length:
        raise RowInvalid(f"{column} is longer than {max_length} characters.")
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
            raise ImportFailed(
                f"{len(unmapped)} CRM stage name(s) have no funnel stage: {', '.join(unmapped)}. "
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
        if not row.data["crm_stage"]:
            report.reject(file.name, row.line, "crm_stage is empty.")
        elif slug not in stages:
            report.reject(file.name, row.line, f"no funnel stage with slug {slug!r}.")
        else:
            pairs.append((row.data["crm_stage"], stages[slug]))
    if report.error_count:
        raise ImportFailed("The stage map has errors:\n" + "\n".join(report.errors))
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
        if email not in self._cache:
            user = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
            self._cache[email] = user or self._create(
                email[:150], email=email, first_name=first_name, last_name=last_name
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
