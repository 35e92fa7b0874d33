"""Waiting on a condition, for tests whose outcome arrives from another process or thread (a Celery
worker, a live server, another database session): poll until it holds, or fail saying what never
happened. Never a fixed sleep: a slow machine waits longer, a fast one not at all."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], *, seconds: float, what: str, every: float = 0.1) -> T:
    """The first truthy value of `condition()`, polled every `every` seconds for up to `seconds`;
    an AssertionError naming `what` if it never came."""
    deadline = time.monotonic() + seconds
    while True:
        if found := condition():
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {seconds:g} s for {what}, in vain.")
        time.sleep(every)
