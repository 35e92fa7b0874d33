"""Qualification ratings from CRM files: the native `qualification.csv` (our extension to the
contract's files) and HubSpot's deal score, batch-upserted into each deal's one Qualification.

A rating column left out of the header leaves that rating as stored; an empty cell in a column that
is there clears it (unrated)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from enablement.buyers.models import FOUR_AS, Qualification
from enablement.choices import DealSource
from enablement.importers.base import ImportFailed, ImportReport, Row, RowInvalid, batches
from enablement.importers.csvfile import CsvFile
from enablement.importers.parse import parse_score, parse_whole, required
from enablement.importers.writers import deal_pks, upsert_objects, with_known_deal

RATINGS = (*FOUR_AS, "crm_score")
MAX_RATING = 10


@dataclass
class QualificationRow:
    line: int
    deal_id: str  # the source's deal id
    ratings: dict[str, int | Decimal | None]  # only the columns the file has


class QualificationWriter:
    """Writes a file's ratings batch by batch: two queries to read a batch, two to write it. The
    readers refuse a deal named twice in a file, so each deal appears once here."""

    def __init__(self, *, source: str, file: str, report: ImportReport, counts_as: str = "") -> None:
        self.source, self.file, self.report = source, file, report
        # Ratings read from another file's rows (HubSpot's deals) are counted on a line of their own.
        self.counts = report.counts(counts_as or file)

    def add(self, rows: list[QualificationRow]) -> None:
        deals = deal_pks(self.source, {r.deal_id for r in rows})
        known = {
            deals[r.deal_id]: r for r in with_known_deal(rows, deals, file=self.file, report=self.report)
        }
        existing = {q.deal_id: q for q in Qualification.objects.filter(deal_id__in=known)}
        values = {}
        for pk, row in known.items():
            stored = existing.get(pk)
            same = stored is not None and all(getattr(stored, k) == v for k, v in row.ratings.items())
            # Ratings an import changes are no longer the rep's ("by an import" on the deal page);
            # ratings it merely repeats keep their author, and the row counts unchanged.
            values[pk] = {**row.ratings, "updated_by_id": stored.updated_by_id if same else None}
        upsert_objects(
            Qualification,
            existing,
            values,
            lambda pk, ratings: Qualification(deal_id=pk, **ratings),
            self.counts,
        )


def rating_columns(file: CsvFile, required_columns: Iterable[str]) -> list[str]:
    """The rating columns in the file's header; a file with none of them is refused whole."""
    found = [c for c in file.header(required=required_columns) if c in RATINGS]
    if not found:
        raise ImportFailed(f"{file.name}:1: no rating column; add at least one of {', '.join(RATINGS)}.")
    return found


def parse_ratings(data: dict[str, str], columns: Iterable[str]) -> dict[str, int | Decimal | None]:
    """The 4 As as whole numbers 0–10 and crm_score 0–10 in tenths; an empty cell is unrated (None)."""
    ratings: dict[str, int | Decimal | None] = {}
    for column in columns:
        value = data[column]
        if column == "crm_score":
            ratings[column] = parse_score(value, column, high=MAX_RATING, places=1)
        else:
            ratings[column] = parse_whole(value, column, high=MAX_RATING) if value else None
    return ratings


def crm_score_from_percent(value: str, column: str) -> Decimal | None:
    """A CRM's 0–100 score as a crm_score 0–10, to one decimal (72 is 7.2, 72.5 is 7.3)."""
    score = parse_score(value, column, high=100)
    return None if score is None else (score / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def read_native(file: CsvFile, rows: Iterable[Row], report: ImportReport, name: str, people) -> None:
    """The rows of a native `qualification.csv`: deal_id and at least one rating column."""
    columns = rating_columns(file, ["deal_id"])
    writer = QualificationWriter(source=DealSource.NATIVE, file=name, report=report)
    for batch in batches(rows):
        good = []
        for row in batch:
            try:
                deal_id = required(row.data, "deal_id", 100)
                good.append(QualificationRow(row.line, deal_id, parse_ratings(row.data, columns)))
            except RowInvalid as exc:
                report.reject(name, row.line, str(exc))
        writer.add(good)
