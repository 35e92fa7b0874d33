"""Redis stopped, for tests: the broker and the cache answer nothing.

Both point at a closed port, as `CELERY_BROKER_URL=redis://127.0.0.1:1/0` would in a deployment, and
tasks are published (not run in-process), so the code under test meets the real connection errors.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.test import override_settings

from config.celery_app import app as celery_app

CLOSED_PORT = "redis://127.0.0.1:1/0"
# Each request must answer quickly: the bound only guards against kombu's ~20 s of publish retries.
FAST_SECONDS = 5.0
REDIS_CACHE_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CLOSED_PORT,
        "KEY_PREFIX": "enablement",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}


def _forget_broker_connections() -> None:
    # The app keeps its connection and producer pools for the URL it first saw; as after a fork,
    # drop them so the next publish connects to the URL now configured.
    celery_app._after_fork()


@contextmanager
def redis_stopped() -> Iterator[None]:
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = CLOSED_PORT, False
    _forget_broker_connections()
    try:
        # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets it).
        with (
            override_settings(CACHES=REDIS_CACHE_DOWN),
            mock.patch.dict(os.environ, CELERY_BROKER_URL=CLOSED_PORT),
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
