"""The staging machinery the sinks share: temporary tables fed by COPY, statements, rejections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from assets.models import FunnelStage
from enablement.deals.models import Account, Deal, StageChange
from enablement.importers.base import MAX_REPORTED_ERRORS, ImportReport
from enablement.usage.models import UsageEvent

DEAL = Deal._meta.db_table
ACCOUNT = Account._meta.db_table
HISTORY = StageChange._meta.db_table
STAGE = FunnelStage._meta.db_table
USAGE = UsageEvent._meta.db_table
# Memory for one sort or hash of the set-based statements, for this import's transaction only: the
# default 4 MB sends the sort of a million staged rows to disk.
WORK_MEM = "256MB"
# Past this many rows written, a table's statistics are taken again inside the import's transaction:
# the next file's joins are planned on what is now there, not on what was there before.
ANALYSE_AFTER = 10_000


def copy_available() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _raw_cursor() -> Iterator:
    """psycopg's own cursor (Django's wrapper has no COPY)."""
    with connection.cursor() as cursor:
        yield cursor.cursor


class Staging:
    """A temporary table fed by COPY, one block per batch, dropped when the file is done."""

    def __init__(self, name: str, columns: list[tuple[str, str]]) -> None:
        self.name, self.columns, self.rows = name, [c for c, _ in columns], 0
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)}) ON COMMIT DROP"
            )

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with (
            _raw_cursor() as raw,
            raw.copy(f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        self.rows += len(rows)

    def analyse(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.name}")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def execute(sql: str, params: list | tuple = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def report_rejects(report: ImportReport, file: str, sql: str, params: list, reason) -> None:
    """Count the rows `sql` selects (line first, then what `reason(*rest)` needs) as rejected;
    only the first MAX_REPORTED_ERRORS are fetched, in line order."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) r", params)
        (count,) = cursor.fetchone()
        if not count:
            return
        room = max(0, MAX_REPORTED_ERRORS - len(report.errors))
        cursor.execute(f"SELECT * FROM ({sql}) r ORDER BY 1 LIMIT %s", [*params, room])
        listed = cursor.fetchall()
    for line, *rest in listed:
        report.reject(file, line, reason(*rest))
    # The rest are counted, not listed (the report keeps MAX_REPORTED_ERRORS lines).
    rest = count - len(listed)
    report.counts(file).rejected += rest
    report.error_count += rest


class Sink:
    """Takes a file's good rows batch by batch (`add`), and writes what is left to write (`finish`)."""

    STAGING = ""
    COLUMNS: list[tuple[str, str]] = []

    def __init__(self, *, source: str, file: str, report: ImportReport) -> None:
        self.source, self.file, self.report = source, file, report
        self.copy = copy_available()
        if self.copy:
            execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            # The usage INSERT's per-row stage lookup makes its estimated cost pass JIT's thresholds:
            # compiling cost more than it saved for a statement that runs once (docs/benchmarks.md).
            execute("SET LOCAL jit = off")
            self.staging = Staging(self.STAGING, [("line", "integer"), *self.COLUMNS])

    def _judge(self, sql: str) -> str:
        """A temporary table of the staged rows with their verdicts; returns its name."""
        judged = f"{self.STAGING}_judged"
        execute(f"DROP TABLE IF EXISTS {judged}")
        execute(
            f"CREATE TEMPORARY TABLE {judged} ON COMMIT DROP AS " + sql.format(staging=self.STAGING),
            [self.source],
        )
        execute(f"ANALYZE {judged}")
        return judged

    def _done(self, judged: str | None = None) -> None:
        if judged:
            execute(f"DROP TABLE IF EXISTS {judged}")
        self.staging.drop()
