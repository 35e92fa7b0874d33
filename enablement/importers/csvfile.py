"""Streamed CSV reading, from a folder or a zip, with line numbers, byte progress and refused characters."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from enablement.importers.base import ImportFailed, ImportReport, Progress, Row

# What the database cannot store: PostgreSQL refuses NUL in text, and bytes that are not UTF-8
# arrive as lone surrogates (the reader decodes with surrogateescape so it can name the line).
REFUSED_CHARACTER = re.compile("[\x00\ud800-\udfff]")


# What reading a damaged, truncated or unreadable file (or zip member) raises: a bad CRC, a cut-off
# deflate stream, an encrypted member, permissions.
READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)


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
        with self._reader(on_read) as reader:
            yield from self._records(reader, required, report, unique)

    def header(self, *, required: Iterable[str] = ()) -> list[str]:
        """The file's columns, checked as `rows` checks them, without reading a row."""
        with self._reader(lambda n: None) as reader:
            return self._header(reader, required)

    @contextmanager
    def _reader(self, on_read: Callable[[int], None]) -> Iterator[Iterator[list[str]]]:
        try:
            with self.opener() as raw:
                text = io.TextIOWrapper(
                    io.BufferedReader(_CountingReader(raw, on_read)),
                    encoding="utf-8-sig",
                    errors="surrogateescape",
                    newline="",
                )
                yield csv.reader(text)
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
            if not "".join(values).strip():  # a blank line (one join: quicker than a test per value)
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
    if REFUSED_CHARACTER.search("".join(values)) is None:  # one search for the whole row, mostly
        return None
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
