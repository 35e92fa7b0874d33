"""Helpers for tests that start a real server process (gunicorn) on a free local port."""

from __future__ import annotations

import socket
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, *, seconds: float = 30) -> None:
    """Until something listens on the port (the server started), or `seconds` passed."""
    for _ in range(int(seconds * 4)):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.25)
