"""The analytics lists' paging: 50 rows a page, the page's other parameters kept in its links
(templates/analytics/_pager.html), and rows from SQL paged by LIMIT and OFFSET (docs/analytics-pages.md)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db import connection
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
