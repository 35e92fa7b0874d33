"""Where webhooks may go: http(s) URLs whose host resolves to public addresses only.

A webhook URL is typed by an admin but the request is made by the server, from inside the network:
pointed at 127.0.0.1, 10.0.0.5 or the cloud's metadata address (169.254.169.254) it would reach what
no outsider can (server-side request forgery). Every address the name resolves to is checked, at
registration and again at each send (DNS answers change), and the request goes to the address that
was checked, never to a second lookup. WEBHOOK_ALLOW_PRIVATE=true lifts the rule for receivers on
the company's own network.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

SCHEMES = {"http": 80, "https": 443}


class Refused(Exception):
    """The URL may not be used; the message says why, for the admin who typed it."""


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) for `url`, or Refused saying what is wrong."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Refused(f"{url!r} is not a URL: {exc}.") from None
    if parts.scheme not in SCHEMES:
        raise Refused(f"{url!r} is not an http:// or https:// URL.")
    if not parts.hostname:
        raise Refused(f"{url!r} names no host.")
    if parts.username or parts.password:
        raise Refused("Webhook URLs may not carry a user name or password; the secret signs each delivery.")
    port = port or SCHEMES[parts.scheme]
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"The host {parts.hostname!r} could not be resolved: {exc}.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        private = [address for address in addresses if not _allowed(address)]
        if private:
            raise Refused(
                f"{parts.hostname} resolves to {', '.join(private)}, a loopback, private or reserved "
                "address; webhooks go to public addresses only (WEBHOOK_ALLOW_PRIVATE=true allows them)."
            )
    return parts.scheme, parts.hostname, port, addresses[0]


def url_refusal(url: str) -> str | None:
    try:
        target(url)
    except Refused as exc:
        return str(exc)
    return None
