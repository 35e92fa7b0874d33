"""Input no page or endpoint can take, refused in one place before any view runs.

A NUL character cannot be stored in, or even compared by, PostgreSQL text (the query fails with a
DataError, i.e. a 500), and a lone surrogate cannot be encoded as UTF-8 (the reply fails). So both are
refused wherever text enters: the path, the query string and cookies here, JSON bodies in
`config.api.parsers`. Form fields refuse NUL themselves (Django's CharField validator).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.views.defaults import ERROR_PAGE_TEMPLATE

# NUL and lone surrogates: PostgreSQL cannot store the one, and the other is not valid Unicode.
UNSAFE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """What makes this text unacceptable ("holds a NUL character …"), or None."""
    found = UNSAFE_CHARACTERS.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "holds a NUL character (\\u0000)"
    return f"holds a lone surrogate (\\u{ord(found.group()):04x}), which is not valid Unicode"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_response(request: HttpRequest, *, status: int, title: str, detail: str) -> HttpResponse:
    """An error answered outside any view: `{"detail": …}` under /api/, a plain page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": detail}, status=status)
    page = ERROR_PAGE_TEMPLATE % {"title": escape(title), "details": escape(detail)}
    return HttpResponse(page, status=status)


def body_too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        request,
        status=413,
        title="Request too large (413)",
        detail=f"The request body is larger than {limit:,} bytes, the most this site accepts.",
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: what Django refuses while reading a request. A body over
    DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, too many fields a 400; JSON under /api/ (it was an HTML page)."""
    if isinstance(exception, RequestDataTooBig):
        return body_too_large(request)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        detail = "The request has more fields or files than this site accepts."
    else:
        detail = "The request could not be understood."
    return error_response(request, status=400, title="Bad request (400)", detail=detail)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django reads it: an unreadable length is no body


class InputHygieneMiddleware:
    """400 for a NUL (or a lone surrogate) in the path, a query parameter or a cookie; 413 for an API
    request whose body is over DATA_UPLOAD_MAX_MEMORY_SIZE, whatever its verb (the API takes no file
    uploads; elsewhere Django refuses an oversized body when it is read, see `bad_request`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if is_api(request) and limit is not None and _content_length(request) > limit:
            return body_too_large(request)
        problem = self.problem(request)
        if problem:
            return error_response(request, status=400, title="Bad request (400)", detail=problem)
        return self.get_response(request)

    @staticmethod
    def problem(request: HttpRequest) -> str | None:
        if problem := text_problem(request.path_info):
            return f"The address {problem}."
        for name, values in request.GET.lists():
            for text in (name, *values):
                if problem := text_problem(text):
                    return f"The query parameter {name!a} {problem}."
        for name, value in request.COOKIES.items():
            if problem := text_problem(name) or text_problem(value):
                return f"The cookie {name!a} {problem}; clear this site's cookies."
        return None
