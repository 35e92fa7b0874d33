"""Browser tests: Debian's Chromium (never a downloaded browser) driving the live test server."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler

from tests.conftest import using_postgres

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
QUIET_SECONDS = 0.5
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the tests still read the database
# between steps, which Django would otherwise refuse from a thread with a running loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (.ci/run installs it with apt)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, locator=None) -> Path:
        """The whole page, or only `locator`'s element."""
        path = SCREENSHOTS / f"{name}.png"
        if locator is not None:
            locator.screenshot(path=str(path))
        else:
            page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def one_request_at_a_time(monkeypatch):
    """On in-memory SQLite the live server's request threads share the test's one connection, and the
    buyer's page sends its beacons while the next page loads: there, requests (and the test's own
    reads) take turns. PostgreSQL gives each thread its own connection and needs no turns.

    At the end it waits until no request is being served and none came for a moment: a page closed
    last sends its beacon as it goes, which must not meet the database being emptied for the next
    test (SQLite: "database table is locked"; PostgreSQL: a deadlock with the TRUNCATE)."""
    lock = threading.RLock()
    state = {"serving": 0, "last": time.monotonic()}
    counting = threading.Lock()
    original = StaticFilesHandler.__call__
    turns = lock if not using_postgres() else contextlib.nullcontext()

    def call(self, environ, start_response):
        with counting:
            state["serving"] += 1
        try:
            with turns:
                return original(self, environ, start_response)
        finally:
            with counting:
                state["serving"] -= 1
                state["last"] = time.monotonic()

    monkeypatch.setattr(StaticFilesHandler, "__call__", call)
    yield lock
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with counting:
            if not state["serving"] and time.monotonic() - state["last"] > QUIET_SECONDS:
                return
        time.sleep(0.1)


@pytest.fixture(autouse=True)
def _live_server_turns(request):
    """Every test that serves pages takes turns on SQLite, not only those that ask for the lock: a
    page's scripts and beacons otherwise reach the one shared connection from several threads at once,
    which can leave a request waiting forever."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("one_request_at_a_time")


# Lines a browser test wants in the run's output whether it passes or fails (pytest keeps a passing
# test's prints to itself).
_SUMMARY: list[str] = []


def summary_line(text: str) -> None:
    _SUMMARY.append(text)


def pytest_terminal_summary(terminalreporter) -> None:
    for line in _SUMMARY:
        terminalreporter.write_line(line)
