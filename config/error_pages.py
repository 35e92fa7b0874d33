"""The site's 403, 404 and 500 pages: its own header and navigation, what happened and a way back;
JSON under /api/.

A page that only some people may see raises `Refused` (a PermissionDenied) naming what the page is and
who may see it, so a rep who follows a colleague's link to analytics learns why the door is shut
instead of reading a bare "403 Forbidden".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from config.input_hygiene import is_api

logger = logging.getLogger(__name__)


class Refused(PermissionDenied):
    """Refused for want of a permission: `page` says what the page is, `who` who may see it."""

    def __init__(self, *, page: str, who: str) -> None:
        super().__init__(f"{page} It is for {who}.")
        self.page, self.who = page, who


def refused_unless(permission: str, *, page: str, who: str) -> Callable:
    """A view decorator: people without `permission` get the 403 page naming the page and who sees it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_perm(permission):
                raise Refused(page=page, who=who)
            return view(request, *args, **kwargs)

        return guarded

    return decorator


def _came_from(request: HttpRequest) -> str:
    """The page that linked here, if it is one of this site's: the error page's way back."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _page(request: HttpRequest, template: str, status: int, context: dict) -> HttpResponse:
    body = render_to_string(template, {"came_from": _came_from(request), **context}, request=request)
    return HttpResponse(body, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    refused = exception if isinstance(exception, Refused) else None
    return _page(request, "403.html", 403, {"refused": refused})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return _page(request, "404.html", 404, {"path": request.path})


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page. Drawn with the person's navigation where that still works; when drawing it fails
    too (the database is what broke, say), the same page without anything that needs a query."""
    if is_api(request):
        return JsonResponse({"detail": "Something went wrong on our side; it has been logged."}, status=500)
    try:
        return _page(request, "500.html", 500, {})
    except Exception:
        logger.exception("The 500 page could not be drawn with the request; drawn without it.")
        return HttpResponse(render_to_string("500.html", {}), status=500)
