"""Benchmark: every page at a real company's size, through gunicorn (production settings, 2 workers,
PostgreSQL): 100,000 deals with their history and 1,000,000 usage events (the analytics benchmark's
data), an analytics run over them, and 100,000 assets (the search benchmark's catalogue).

1. Each page asked 15 times in turn, one request at a time, over one connection: its median, 95th
   percentile and size. The hand-written query computing what each search computes (page, count,
   facets: tests/benchmarks/scale_data.py) is timed in-process in the same run, for the ratio.
2. The asset page's size for a rep with 10 open deals and for one with about 1,700: the deal chooser is
   searched as you type, so the page must not grow with the deals.
3. A load run: 20 clients for 60 seconds, each asking pages in the mix home 20%, search 40%, asset 25%,
   deal 15%: requests a second, p95 and errors.

The figures are printed (docs/benchmarks.md keeps them, dated); the test fails on an error or a page
that does not answer 200. `PAGE_BENCH_DEALS` and `PAGE_BENCH_ASSETS` scale it down for development,
`PAGE_BENCH_SECONDS` shortens the load run. Run with `DATABASE_URL=postgres://… make bench`.
"""

from __future__ import annotations

import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from enablement.analytics.engine import analytics_compute
from enablement.api.tokens import api_token_create
from enablement.models import Deal
from tests.benchmarks.scale_data import (
    catalogue_generate,
    deals_generate,
    hand_search,
    hand_search_sql,
    milliseconds,
    p95,
)
from tests.factories import AssetFactory, DealFactory, UserFactory
from tests.servers import free_port, gunicorn_start, wait_for_port

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DEALS = int(os.environ.get("PAGE_BENCH_DEALS", "100000"))
ASSETS = int(os.environ.get("PAGE_BENCH_ASSETS", "100000"))
LOAD_SECONDS = float(os.environ.get("PAGE_BENCH_SECONDS", "60"))
ROOT = Path(__file__).resolve().parents[2]
SAMPLES, CLIENTS = 15, 20
SLOW = 2.0  # seconds
MIX = [("home", 20), ("search", 40), ("asset", 25), ("deal", 15)]


class Browser:
    """One keep-alive connection to the server, signed in by a session cookie or an API token."""

    def __init__(self, port: int, *, cookie: str = "", token: str = "") -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Host": "127.0.0.1"}
        if cookie:
            self.headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
        if token:
            self.headers["Authorization"] = f"Token {token}"

    def get(self, path: str) -> tuple[int, int]:
        """The status and size of the page at `path`."""
        try:
            self.conn.request("GET", path, headers=self.headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # the worker closed a kept-alive connection: once more on a new one
            self.conn.request("GET", path, headers=self.headers)
            response = self.conn.getresponse()
        return response.status, len(response.read())


def _signed_in(user) -> str:
    """A session of `user` in the database, as signing in makes it; its cookie's value."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _world() -> dict:
    reps = [UserFactory(username=f"page-bench-rep-{n}", role="Reps") for n in range(12)]
    used = [AssetFactory(slug=f"used-{n}", title=f"Used asset {n}").pk for n in range(60)]
    started = time.perf_counter()
    deals_generate(1, DEALS, DEALS * 10, [r.pk for r in reps], used)
    catalogue_generate(ASSETS)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    analytics_compute()
    computed = time.perf_counter() - started
    few = UserFactory(username="page-bench-few", role="Reps")
    for n in range(10):
        DealFactory(owner=few, external_id=f"few-{n}")
    busy = reps[0]
    deal = Deal.objects.filter(owner=busy, closed_at__isnull=True).order_by("pk").first()
    admin = UserFactory(username="page-bench-admin", role="Admins", is_staff=True, is_superuser=True)
    marketing = UserFactory(username="page-bench-marketing", role="Marketing", is_staff=True)
    return {
        "generated": generated,
        "computed": computed,
        "busy": _signed_in(busy),
        "busy_open": Deal.objects.filter(owner=busy, closed_at__isnull=True).count(),
        "few": _signed_in(few),
        "marketing": _signed_in(marketing),
        "token": api_token_create(name="page-bench", user=admin)[1],
        "deal": deal.pk,
    }


def _server(port: int) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_"))}
    env.update(
        DATABASE_URL=f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # the sessions made here are signed with it
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        API_RATE="1000000/minute",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    return gunicorn_start(port, env, ROOT)


def _pages(world: dict) -> list[tuple[str, str, str]]:
    """(label, who, path) of every page timed."""
    return [
        ("home (suggestions)", "busy", "/"),
        ("search, common word", "busy", "/assets/?q=pipeline"),
        ("search, rare word", "busy", "/assets/?q=zanzibar"),
        ("search, typo", "busy", "/assets/?q=calculater"),
        ("search, most used", "busy", "/assets/?sort=used"),
        ("asset page", "busy", "/assets/used-1/"),
        ("an open deal's page", "busy", f"/deals/{world['deal']}/"),
        ("funnel", "marketing", "/analytics/"),
        ("retire", "marketing", "/analytics/retire/"),
        ("stalled deals", "marketing", "/analytics/stalled/"),
        ("coverage", "marketing", "/analytics/coverage/"),
        ("API assets ?q=", "token", "/api/v1/assets/?q=pipeline"),
        ("API deals, first page", "token", "/api/v1/deals/"),
    ]


def _browser(port: int, world: dict, who: str) -> Browser:
    return Browser(port, token=world["token"]) if who == "token" else Browser(port, cookie=world[who])


def _load(port: int, world: dict, deadline: float) -> tuple[list[float], int]:
    """Each client's page mix until the deadline: every request's milliseconds, and the errors."""
    paths = {
        "home": ["/"],
        "search": ["/assets/?q=pipeline", "/assets/?q=zanzibar", "/assets/?q=calculater", "/assets/?q=audit"],
        "asset": [f"/assets/used-{n}/" for n in range(60)],
        "deal": [f"/deals/{world['deal']}/"],
    }
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    samples: list[float] = []
    errors = [0]

    def client(seed: int) -> None:
        chooser, browser = random.Random(seed), Browser(port, cookie=world["busy"])
        while time.perf_counter() < deadline:
            path = chooser.choice(paths[chooser.choice(kinds)])
            started = time.perf_counter()
            try:
                status, _ = browser.get(path)
            except OSError:
                status = 0
            samples.append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, errors[0]


def test_every_page_at_100000_assets_and_100000_deals_through_gunicorn():
    world = _world()
    port = free_port()
    server = _server(port)
    try:
        wait_for_port(port)
        print()
        print(
            f"pages on PostgreSQL through gunicorn (2 workers): {DEALS:,} deals, {DEALS * 10:,} usage "
            f"events, {ASSETS:,} assets (generated in {world['generated']:.0f} s, analytics run "
            f"{world['computed']:.0f} s)"
        )
        print(f"  {'page':<24} {'median':>8} {'p95':>8} {'size':>9}")
        failures = []
        for label, who, path in _pages(world):
            browser = _browser(port, world, who)
            started = time.perf_counter()
            status, size = browser.get(path)  # warms the worker's caches
            # A page that takes seconds is timed fewer times: its figure says enough, and the run stays short.
            n = SAMPLES if time.perf_counter() - started < SLOW else 3
            samples = milliseconds(lambda b=browser, p=path: b.get(p), n)
            median = statistics.median(samples)
            print(f"  {label:<24} {median:6.0f} ms {p95(samples):6.0f} ms {size / 1024:7.0f} KB")
            if status != 200:
                failures.append(f"{label}: {status}")
        for label, q in [
            ("common word", "pipeline"),
            ("rare word", "zanzibar"),
            ("typo", "calculater"),
            ("most used", ""),
        ]:
            sql = hand_search_sql(words=bool(q), most_used=not q)
            hand = statistics.median(milliseconds(lambda s=sql, w=q: hand_search(s, w), SAMPLES))
            print(f"  hand-written query, {label:<12}: {hand:6.1f} ms")
        sizes = {who: _browser(port, world, who).get("/assets/used-1/")[1] for who in ("few", "busy")}
        print(
            f"  asset page: {sizes['few']:,} bytes for a rep with 10 open deals, {sizes['busy']:,} for one "
            f"with {world['busy_open']:,}"
        )
        samples, errors = _load(port, world, time.perf_counter() + LOAD_SECONDS)
        print(
            f"  load: {CLIENTS} clients for {LOAD_SECONDS:.0f} s (home 20%, search 40%, asset 25%, deal "
            f"15%): {len(samples) / LOAD_SECONDS:.1f} requests/s, median "
            f"{statistics.median(samples):.0f} ms, p95 {p95(samples):.0f} ms, {errors} errors"
        )
    finally:
        server.terminate()
        server.wait(30)
    assert not failures, failures
    assert errors == 0
