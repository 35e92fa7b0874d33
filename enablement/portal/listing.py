"""What the portal's list pages (*My deals*, *Sent to buyers*) share: filters from the query string,
where a bad value is named on the form and left out while the others apply, and paging."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


class ListFilterForm(forms.Form):
    def valid_filters(self) -> dict:
        """{field: value} for the fields that are valid ("" or None where nothing was chosen)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


def list_context(
    request: HttpRequest, form: ListFilterForm, rows_for: Callable[[dict], QuerySet], per_page: int
) -> dict:
    """The form, the requested page of `rows_for(the valid filters)` (a page out of range is the last)
    and the query string the pager links keep."""
    rows = rows_for(form.valid_filters())
    return {
        "form": form,
        "page": Paginator(rows, per_page).get_page(request.GET.get("page")),
        "querystring": request.GET,
    }
