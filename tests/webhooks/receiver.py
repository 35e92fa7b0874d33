"""A local HTTP receiver for webhook tests: it checks each delivery's signature the way
docs/sign-in-provisioning-audit-webhooks.md tells integrators to, answers 500 to the first `failures`
attempts of each event, then 200."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_valid(*, secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The documented check: `t=…,v1=…`, HMAC-SHA256 over "<t>.<body>", and a recent t."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if "t" not in parts or "v1" not in parts or abs(time.time() - int(parts["t"])) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


class Receiver:
    def __init__(self, *, secret: str, failures: int = 2) -> None:
        self.secret, self.failures = secret, failures
        self.attempts: Counter[str] = Counter()
        self.delivered: list[dict] = []  # bodies answered 200
        self.bodies: list[dict] = []  # every body with a valid signature
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                header = self.headers.get("Enablement-Signature", "")
                with receiver.lock:
                    if not signature_valid(secret=receiver.secret, header=header, body=body):
                        receiver.bad_signatures += 1
                        self.send_response(400)
                    else:
                        event = json.loads(body)
                        receiver.bodies.append(event)
                        receiver.attempts[event.get("id", "")] += 1
                        if receiver.attempts[event.get("id", "")] <= receiver.failures:
                            self.send_response(500)
                        else:
                            receiver.delivered.append(event)
                            self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
