"""Lists by cursor: each page is read from where the last one ended along an indexed ordering, so
page 2,000 costs what page 1 does and no page counts the whole list.

`?page=N` is still answered as before (numbered pages with `count`) for a deprecation period; those
replies say so in a `Deprecation: true` header.
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response


class CursorWithPageNumbers(CursorPagination):
    """Cursor pages by `ordering` (a view's subclass sets it); `?page=` the old numbered way."""

    numbered: PageNumberPagination | None = None

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params and "cursor" not in request.query_params:
            self.numbered = PageNumberPagination()
            return self.numbered.paginate_queryset(queryset.order_by(*self.ordering), request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data) -> Response:
        if self.numbered is None:
            return super().get_paginated_response(data)
        response = self.numbered.get_paginated_response(data)
        response["Deprecation"] = "true"
        return response

    def get_schema_operation_parameters(self, view) -> list[dict]:
        (page,) = PageNumberPagination().get_schema_operation_parameters(view)
        page["deprecated"] = True
        page["description"] = "Deprecated: numbered pages with a count. Follow `next` instead."
        return [*super().get_schema_operation_parameters(view), page]


class CursorWhenAsked(CursorPagination):
    """Cursor pages by `ordering` once a request names a cursor (`?cursor=`, empty for the first page).

    For a list that was one unpaged list: a request without a cursor gets that whole list, as before,
    for a deprecation period, with a `Deprecation: true` header (the view answers it with `unpaged`).
    """

    def paginate_queryset(self, queryset, request, view=None):
        if self.cursor_query_param not in request.query_params:
            return None
        return super().paginate_queryset(queryset, request, view)

    @staticmethod
    def unpaged(data) -> Response:
        response = Response(data)
        response["Deprecation"] = "true"
        return response
