"""Redis stopped, for tests: the broker and the cache answer nothing.

Both point at a closed port, as `CELERY_BROKER_URL=redis://127.0.0.1:1/0` would in a deployment, and
tasks are published (not run in-process), so the code under test meets the real connection errors.
`redis_hung()` points them at a port that accepts connections and never answers, as an overloaded
Redis, a half-open connection after a fail-over or a proxy whose backend is gone do.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.test import override_settings

from config.celery_app import app as celery_app

CLOSED_PORT = "redis://127.0.0.1:1/0"
# Each request must answer quickly: the bound only guards against kombu's ~20 s of publish retries.
FAST_SECONDS = 5.0
# A hung Redis holds each connection this long before dropping it, so a client without a read
# timeout fails after HUNG_HOLD_SECONDS (too late) rather than hanging the test run for ever.
HUNG_HOLD_SECONDS = 25.0
# gunicorn kills a request after 30 s by default (a 500, and the work after the kill is lost).
HUNG_FAST_SECONDS = 15.0


def _redis_cache_at(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "enablement",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


def _forget_broker_connections() -> None:
    # The app keeps its connection and producer pools for the URL it first saw; as after a fork,
    # drop them so the next publish connects to the URL now configured.
    celery_app._after_fork()


@contextmanager
def redis_stopped(url: str = CLOSED_PORT) -> Iterator[None]:
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = url, False
    _forget_broker_connections()
    try:
        # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets it).
        with (
            override_settings(CACHES=_redis_cache_at(url)),
            mock.patch.dict(os.environ, CELERY_BROKER_URL=url),
        ):
            yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _forget_broker_connections()


@contextmanager
def answers_fast() -> Iterator[None]:
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    assert took < FAST_SECONDS, f"took {took:.1f} s with Redis down"


@contextmanager
def redis_hung() -> Iterator[None]:
    """Broker and cache at a local port that accepts every connection and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)
            drop = threading.Timer(HUNG_HOLD_SECONDS, connection.close)
            drop.daemon = True
            drop.start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        with redis_stopped(f"redis://127.0.0.1:{listener.getsockname()[1]}/0"):
            yield
    finally:
        stop.set()
        thread.join()
        listener.close()
        for connection in held:
            connection.close()


@contextmanager
def answers_within(seconds: float) -> Iterator[None]:
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    assert took < seconds, f"took {took:.1f} s with Redis hung"
