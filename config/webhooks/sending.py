"""One POST of a delivery: signed, to the checked address, with a timeout, never following redirects."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from config.webhooks.addresses import Refused, target

SIGNATURE_HEADER = "Enablement-Signature"
RESPONSE_KEPT = 2000


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`: the time is signed with the
    body, so a receiver can refuse an old delivery replayed at it."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def post(*, url: str, body: bytes, secret: str, headers: dict[str, str]) -> Outcome:
    try:
        scheme, host, port, address = target(url)
    except Refused as exc:
        return Outcome(False, None, str(exc))
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = urllib3.Timeout(connect=settings.WEBHOOK_TIMEOUT_SECONDS, read=settings.WEBHOOK_TIMEOUT_SECONDS)
    common = {"port": port, "timeout": timeout, "retries": False, "maxsize": 1}
    if scheme == "https":
        # The connection goes to the address checked above; TLS still checks the certificate for the name.
        pool = urllib3.HTTPSConnectionPool(
            address, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED", **common
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, **common)
    default_port = port == (443 if scheme == "https" else 80)
    sent_headers = {
        "Host": host if default_port else f"{host}:{port}",
        "Content-Type": "application/json",
        "User-Agent": "Enablement-Webhooks/1",
        SIGNATURE_HEADER: signature(secret=secret, timestamp=int(time.time()), body=body),
        **headers,
    }
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers=sent_headers,
            redirect=False,
            retries=False,
            preload_content=False,
        )
        try:
            text = response.read(RESPONSE_KEPT, decode_content=False).decode(errors="replace")
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:RESPONSE_KEPT])
    finally:
        pool.close()
    if 200 <= response.status < 300:
        return Outcome(True, response.status, "")
    if 300 <= response.status < 400:
        where = response.headers.get("Location", "")
        return Outcome(
            False,
            response.status,
            f"Redirected to {where[:500]!r}: webhooks follow no redirects; register the final URL.",
        )
    return Outcome(False, response.status, f"HTTP {response.status}: {text}"[:RESPONSE_KEPT])
