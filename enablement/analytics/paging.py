"""The analytics lists' paging: 50 rows a page, the page's other parameters kept in its links
(templates/analytics/_pager.html), and rows from SQL paged by LIMIT and OFFSET (docs/analytics-pages.md)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def page_of(request: HttpRequest, rows: Sequence, param: str = "page") -> Page:
    """The requested page of `rows` (a queryset or SqlRows): a page that is not a number is the
    first, one past the end the last."""
    return Paginator(rows, PER_PAGE).get_page(request.GET.get(param))


class SqlRows:
    """Rows of a finished SELECT as dicts, counted and sliced in the database, for a Paginator."""

    def __init__(self, statement: str, params: list) -> None:
        self.statement, self.params = statement, params

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self.statement}) counted", self.params)
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict]:
        start, stop = window.start or 0, window.stop
        with connection.cursor() as cursor:
            cursor.execute(f"{self.statement} LIMIT %s OFFSET %s", [*self.params, stop - start, start])
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class CountedRows:
    """One page of an aggregate's rows and how many rows it has in all, read by one statement
    (`COUNT(*) OVER ()` around the queryset's SQL), for a Paginator: counting such rows costs as much
    as reading them. The page asked for is read with the count; any other (one past the end falls
    back to the last) is read again, and a page past the end counts by itself."""

    def __init__(self, rows: QuerySet, asked: str | None, order: str) -> None:
        self.rows, self.order = rows.order_by(), order
        try:
            number = max(int(asked or 1), 1)
        except ValueError:
            number = 1
        self.start = (number - 1) * PER_PAGE
        self.read: list[dict] = []
        self.total: int | None = None

    def _select(self, start: int) -> list[dict]:
        statement, params = self.rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.*, COUNT(*) OVER () AS total_rows FROM ({statement}) s "
                f"ORDER BY {self.order} LIMIT %s OFFSET %s",
                [*params, PER_PAGE, start],
            )
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if rows:
            self.total = rows[0]["total_rows"]
        for row in rows:
            del row["total_rows"]
        return rows

    def count(self) -> int:
        self.read = self._select(self.start)
        if self.total is None:
            self.total = self.rows.count()
        return self.total

    def __getitem__(self, window: slice) -> list[dict]:
        if window.start == self.start and self.read:
            return self.read
        return self._select(window.start)
