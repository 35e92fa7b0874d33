"""The address a request came from, as seen by the first proxy we run (docs/operations.md,
"Production set-up").

Behind nginx or Caddy every connection comes from the proxy itself, so REMOTE_ADDR names the proxy;
each proxy appends the address it saw to X-Forwarded-For. With TRUSTED_PROXY_HOPS proxies of ours in
front, the client is the entry that many places from the right: entries further left were written by
the client and prove nothing. Without proxies (0, the default) the header is ignored, since anyone
can send it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def _without_port(entry: str) -> str:
    """Some proxies (Azure's, for one) write the client's port too: `203.0.113.5:40123`,
    `[2001:db8::1]:443`. A port changes with every connection, so it must not be part of the client."""
    if entry.startswith("[") and "]" in entry:
        return entry[1 : entry.index("]")]
    host, colon, port = entry.rpartition(":")
    return host if colon and "." in host and ":" not in host and port.isdigit() else entry


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    # Fewer entries than proxies: the request did not come through all of them (a health check, or
    # a direct connection); the connection's own address is then the only fact.
    return _without_port(forwarded[-hops]) if len(forwarded) >= hops else remote
