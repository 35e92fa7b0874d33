"""What callers of the cache need when Redis is down.

The cache only helps (API rate counts, import progress, the analytics lock), so its callers carry on
without it. They say so in the log now and then rather than on every call: a busy API would
otherwise write a warning per request for as long as the outage lasts.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError

# Django's Redis cache lets redis-py's errors through; refused connections and timeouts are OSError.
CACHE_ERRORS = (RedisError, OSError)


class WarnNowAndThen:
    """Logs a warning at most once every `every` seconds."""

    def __init__(self, logger: logging.Logger, every: float = 60.0) -> None:
        self.logger, self.every, self.next_at = logger, every, 0.0

    def __call__(self, message: str, *args: object) -> None:
        now = time.monotonic()
        if now >= self.next_at:
            self.next_at = now + self.every
            self.logger.warning(message, *args)


class CacheBreaker:
    """After a cache failure, callers skip the cache for `pause` seconds instead of trying each time.

    A Redis that accepts connections but never answers costs each call its full socket timeout (2 s):
    on the API that is every request. One failure opens the breaker; the next call after the pause
    tries the cache again.
    """

    def __init__(self, pause: float = 30.0) -> None:
        self.pause, self.closed_at = pause, 0.0

    @property
    def open(self) -> bool:
        return time.monotonic() < self.closed_at

    def tripped(self) -> None:
        self.closed_at = time.monotonic() + self.pause
