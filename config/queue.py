"""Celery and the cache, read from the environment (docs/operations.md, "Configuration" and "When
Redis is down")."""

from __future__ import annotations

from config import beat
from config.env import env_broker

# Celery: a real broker when CELERY_BROKER_URL is set, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = env_broker("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
if CELERY_BROKER_URL is None:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
else:
    CELERY_RESULT_BACKEND = env_broker("CELERY_RESULT_BACKEND") or (
        CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
    )
# The cache carries progress of long tasks to the pages that show it, so it is shared (Redis)
# wherever a separate worker runs.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if CELERY_TASK_ALWAYS_EAGER
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_broker("CACHE_URL") or CELERY_BROKER_URL,
        "KEY_PREFIX": "enablement",
        # Fail within seconds when Redis is down: callers then carry on without the cache.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_BEAT_SCHEDULE = beat.BEAT_SCHEDULE  # config/beat.py: what runs when
# When the broker is down, publishing must fail within seconds, not after kombu's retries, so that
# config.outbox keeps the task as pending and the request still answers (docs/operations.md, "When
# Redis is down").
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# socket_timeout too: a Redis that accepts the connection and never answers (overloaded, a half-open
# connection after a fail-over) would otherwise hold the request until gunicorn kills it, before the
# task is kept as pending, so the work would be lost. The worker's BRPOP waits 1 s, well within it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
