"""Helpers for tests that start a real server process (gunicorn) on a free local port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path


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


def gunicorn_start(port: int, env: dict, cwd: Path) -> subprocess.Popen:
    """The project served by gunicorn (2 workers, as in production) on `port`, with `env`."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "config.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=cwd, env=env)
