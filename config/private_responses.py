"""Answers meant for one person are kept by no one else.

A page for a signed-in person, and every API answer, carries `Cache-Control: private, no-store`: no
shared cache (a company proxy, a CDN in front of the site) may keep it for the next person, and the
browser does not write it to disk, where Back on a shared computer would show it after logout.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from config.input_hygiene import is_api


class PrivateResponsesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if is_api(request) or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response
