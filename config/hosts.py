"""Every request carries its host in `HTTP_HOST`, checked against ALLOWED_HOSTS.

A client may leave the Host header out (HTTP/1.0 allows it). Django then takes the host from
SERVER_NAME and SERVER_PORT, as PEP 3333 reconstructs a URL, but libraries that read the header
itself (allauth's SAML views) failed on its absence with a KeyError: a server error from any client.
The host Django settles on is written in the header's place, validated as every host is (one not
allowed answers 400).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class HostHeaderMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_HOST" not in request.META:
            request.META["HTTP_HOST"] = request.get_host()
        return self.get_response(request)
