"""Benchmark: native import and API usage ingest on PostgreSQL, against a plain COPY of the same rows
into bare tables, measured in the same run on the same database.

- A generated organisation of 24,000 deals (~52,000 history rows, ~100,000 usage rows) imported with
  `import_crm native`, against COPY of the same CSV files into tables of text columns.
- 100,000 and then 1,000,000 usage rows imported into that organisation, with the peak memory of each
  import (the kernel's high-water mark, VmHWM, of the process that ran it), against COPY of the
  1,000,000-row file.
- Usage posted to a live gunicorn server (2 workers) by 4 concurrent clients in batches of 1,000,
  against COPY of the same rows.

Every import runs in a process of its own on a database of its own (made and migrated here, dropped
at the end), so memory is the import's alone and its rows are committed as in real use. The analytics
refresh that follows an import is left out of the import's figures (`import_crm` prints it as a step
of its own). `IMPORT_BENCH_SCALE` (default 1) scales every size down for development.
Run with `DATABASE_URL=postgres://… make bench` (.ci/run does).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.benchmarks.ceiling import copy_into_product_tables
from tests.benchmarks.native_files import T0, write_org, write_usage
from tests.servers import free_port, gunicorn_start, wait_for_port

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
SCALE = float(os.environ.get("IMPORT_BENCH_SCALE", "1"))
DEALS, ORG_USAGE = int(24_000 * SCALE), int(100_800 * SCALE)
SMALL, LARGE = int(100_000 * SCALE), int(1_000_000 * SCALE)
API_EVENTS, API_BATCH, API_CLIENTS = int(100_000 * SCALE) // 4000 * 4000, 1_000, 4
# The tables an import of the organisation writes, parents first (the second baseline, ceiling.py).
ORG_TABLES = ["enablement_account", "enablement_deal", "enablement_stagechange", "enablement_usageevent"]

# Runs one import in this process and prints its seconds, counts and peak memory; the refresh queued
# after it is left out (it is not part of the import, and would dominate both figures).
RUN_IMPORT = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from enablement import importers
importers.enqueue = lambda *args, **kwargs: None
report = importers.run_import("native", sys.argv[1])
print("COUNTS " + json.dumps(report.as_dict()))
print("ERRORS " + json.dumps(report.errors[:5]))
print(f"SECONDS {report.seconds}")
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print("PEAK_KIB " + line.split()[1])
"""


def _server() -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"],
    }


def _url(name: str) -> str:
    s = _server()
    auth = s["user"] + (f":{s['password']}" if s["password"] else "")
    return f"postgres://{auth}@{s['host']}:{s['port']}/{name}"


@pytest.fixture(scope="module")
def bench_db():
    """A database of the benchmark's own, migrated, dropped at the end; yields (name, environment)."""
    name = f"{settings.DATABASES['default']['NAME']}_import_bench".replace("-", "_")
    with psycopg.connect(**_server(), dbname="postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_"))}
    env.update(DATABASE_URL=_url(name), DJANGO_SECRET_KEY=secrets.token_urlsafe(40))
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    yield name, env
    with psycopg.connect(**_server(), dbname="postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run_import(folder: Path, env: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", RUN_IMPORT, str(folder)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    counts = json.loads(out["COUNTS"])
    assert not any(c["rejected"] for c in counts.values()), out["ERRORS"]
    return {"counts": counts, "seconds": float(out["SECONDS"]), "peak_mib": int(out["PEAK_KIB"]) / 1024}


def copy_files(name: str, files: list[Path]) -> tuple[int, float]:
    """COPY each CSV file as it is into a bare table of text columns; returns (rows, seconds)."""
    rows, seconds = 0, 0.0
    with psycopg.connect(**_server(), dbname=name) as conn, conn.cursor() as cur:
        for number, path in enumerate(files):
            with path.open("rb") as f:
                header = f.readline().decode().strip().split(",")
            table = f"bare_{number}"
            cur.execute(f"CREATE TEMPORARY TABLE {table} ({', '.join(f'{c} text' for c in header)})")
            started = time.perf_counter()
            with (
                path.open("rb") as f,
                cur.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            ):
                while block := f.read(1 << 20):
                    copy.write(block)
            conn.commit()
            seconds += time.perf_counter() - started
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            rows += cur.fetchone()[0]
    return rows, seconds


@pytest.fixture(scope="module")
def organisation(bench_db, tmp_path_factory):
    """The 24,000-deal organisation, imported (and timed) once for the tests below."""
    name, env = bench_db
    folder = tmp_path_factory.mktemp("org") / "native"
    per_file = write_org(folder, DEALS, ORG_USAGE)
    files = [folder / f for f in ("assets.csv", "deals.csv", "stage_history.csv", "usage.csv")]
    copied, copy_seconds = copy_files(name, files)
    assert copied == sum(per_file.values())
    imported = run_import(folder, env)
    assert {f: c["created"] for f, c in imported["counts"].items()} == per_file
    ceiling = copy_into_product_tables(_url(name), {table: "true" for table in ORG_TABLES})
    again = run_import(folder, env)  # a re-import changes nothing
    assert {f: c["unchanged"] for f, c in again["counts"].items()} == per_file
    return {
        "rows": copied,
        "copy": copy_seconds,
        "ceiling": ceiling,
        "import": imported,
        "again": again,
        "folder": folder,
    }


def test_native_import_of_an_organisation_against_copy(organisation):
    rows, copy_rate = organisation["rows"], organisation["rows"] / organisation["copy"]
    first, again = organisation["import"], organisation["again"]
    print()
    print(f"native import on PostgreSQL: {DEALS:,} deals, {rows:,} rows in 4 files (60 assets)")
    copy_seconds = organisation["copy"]
    print(
        f"  plain COPY of the CSV files into bare tables : {copy_rate:10,.0f} rows/s ({copy_seconds:.2f} s)"
    )
    landed, ceiling_seconds = organisation["ceiling"]
    ceiling_rate = landed / ceiling_seconds
    print(
        f"  COPY of the {landed:,} rows it wrote into the product's tables: {ceiling_rate:10,.0f} rows/s "
        f"({ceiling_seconds:.2f} s; indexes, foreign keys), {ceiling_rate / copy_rate:.3f} of the bare COPY"
    )
    for label, run in (("import into an empty database", first), ("re-import, every row unchanged", again)):
        rate = rows / run["seconds"]
        print(
            f"  {label:<45}: {rate:10,.0f} rows/s ({run['seconds']:.2f} s, {run['peak_mib']:.0f} MiB peak), "
            f"ratio to COPY {rate / copy_rate:.3f}, to the product tables' COPY {rate / ceiling_rate:.3f}"
        )


def test_a_million_usage_rows_against_copy_with_flat_memory(bench_db, organisation, tmp_path):
    name, env = bench_db
    results = {}
    for rows, prefix in ((SMALL, "s"), (LARGE, "m")):
        folder = tmp_path / f"usage-{rows}"
        folder.mkdir()
        write_usage(folder, rows, DEALS, prefix=prefix)
        results[rows] = run_import(folder, env)
        assert results[rows]["counts"]["usage.csv"]["created"] == rows
    copied, copy_seconds = copy_files(name, [tmp_path / f"usage-{LARGE}" / "usage.csv"])
    assert copied == LARGE
    copy_rate = LARGE / copy_seconds
    landed, ceiling_seconds = copy_into_product_tables(
        _url(name), {"enablement_usageevent": "event_id LIKE 'm-%%'"}
    )
    assert landed == LARGE
    ceiling_rate = LARGE / ceiling_seconds
    small, large = results[SMALL], results[LARGE]
    print()
    print(f"usage import on PostgreSQL into the {DEALS:,}-deal organisation")
    print(f"  plain COPY of usage.csv ({LARGE:,} rows) into a bare table: {copy_rate:10,.0f} rows/s")
    print(
        f"  COPY of those rows into the usage table's copy (indexes, foreign keys): {ceiling_rate:10,.0f} "
        f"rows/s, {ceiling_rate / copy_rate:.3f} of the bare COPY"
    )
    for rows, run in results.items():
        rate = rows / run["seconds"]
        print(
            f"  import of {rows:>9,} rows: {rate:10,.0f} rows/s ({run['seconds']:.1f} s), ratio to COPY "
            f"{rate / copy_rate:.3f}, to the usage table's COPY {rate / ceiling_rate:.3f}, "
            f"peak {run['peak_mib']:.0f} MiB"
        )
    print(f"  peak memory {LARGE:,} rows / {SMALL:,} rows: {large['peak_mib'] / small['peak_mib']:.2f}x")
    assert (
        large["peak_mib"] / small["peak_mib"] < 1.5
    )  # streamed: ten times the rows, not ten times the memory


def _events(start: int, count: int) -> list[dict]:
    # Each event a minute or more after its deal was created, well before any deal closes.
    return [
        {
            "event_id": f"api-{n}",
            "deal_id": f"D-{n % DEALS}",
            "asset": f"asset-{n % 60}",
            "action": "viewed",
            "occurred_at": (T0 + timedelta(minutes=37 * (n % DEALS) + 1 + n // DEALS)).isoformat(),
        }
        for n in range(start, start + count)
    ]


def test_api_ingest_through_gunicorn_against_copy(bench_db, organisation):
    name, env = bench_db
    make_key = (
        "from django.contrib.auth.models import User\n"
        "from enablement.api.tokens import api_token_create\n"
        "user = User.objects.create_superuser('bench-admin', 'bench-admin@bench.example', None)\n"
        "print(api_token_create(name='bench', user=user)[1])\n"
    )
    key = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", make_key],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    port = free_port()
    server_env = {
        **env,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "API_RATE": "1000000/minute",
    }
    gunicorn = gunicorn_start(port, server_env, ROOT)
    try:
        wait_for_port(port)
        bodies = [json.dumps(_events(start, API_BATCH)) for start in range(0, API_EVENTS, API_BATCH)]
        replies: list[dict] = []

        def client(mine: list[str]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for body in mine:
                conn.request(
                    "POST",
                    "/api/v1/usage-events/",
                    body=body,
                    headers={
                        "Authorization": f"Token {key}",
                        "Content-Type": "application/json",
                        "Host": "127.0.0.1",
                    },
                )
                response = conn.getresponse()
                replies.append({"status": response.status, **json.loads(response.read())})
            conn.close()

        threads = [
            threading.Thread(target=client, args=(bodies[i::API_CLIENTS],)) for i in range(API_CLIENTS)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        api_seconds = time.perf_counter() - started
    finally:
        gunicorn.terminate()
        gunicorn.wait(30)
    assert all(r["status"] == 200 and r["created"] == API_BATCH for r in replies), replies[:1]
    assert len(replies) == len(bodies)

    with psycopg.connect(**_server(), dbname=name) as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM enablement_usageevent WHERE event_id LIKE 'api-%%'")
        assert cur.fetchone()[0] == API_EVENTS
        cur.execute("SELECT id FROM auth_user WHERE username = 'bench-admin'")
        rep = cur.fetchone()[0]
        cur.execute("SELECT external_id, id FROM enablement_deal")
        deals = dict(cur.fetchall())
        cur.execute("SELECT slug, id FROM assets_asset")
        assets = dict(cur.fetchall())
        rows = [
            (
                f"copy-{e['event_id']}",
                assets[e["asset"]],
                deals[e["deal_id"]],
                rep,
                e["action"],
                e["occurred_at"],
            )
            for start in range(0, API_EVENTS, API_BATCH)
            for e in _events(start, API_BATCH)
        ]
        cur.execute(
            "CREATE TEMPORARY TABLE bare_usage (event_id text, asset_id bigint, deal_id bigint, "
            "rep_id bigint, action text, occurred_at timestamptz)"
        )
        started = time.perf_counter()
        with cur.copy(
            "COPY bare_usage (event_id, asset_id, deal_id, rep_id, action, occurred_at) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        copy_seconds = time.perf_counter() - started

    landed, ceiling_seconds = copy_into_product_tables(
        _url(name), {"enablement_usageevent": "event_id LIKE 'api-%%'"}
    )
    assert landed == API_EVENTS
    api_rate, copy_rate = API_EVENTS / api_seconds, API_EVENTS / copy_seconds
    ceiling_rate = API_EVENTS / ceiling_seconds
    print()
    print(
        f"usage ingest on PostgreSQL through gunicorn (2 workers), {API_CLIENTS} clients, "
        f"{API_EVENTS:,} events in batches of {API_BATCH:,}"
    )
    print(f"  through the API (HTTP, token, validation, insert, stages, reply): {api_rate:10,.0f} events/s")
    print(f"  plain COPY of the same rows into a bare table                   : {copy_rate:10,.0f} events/s")
    print(f"  ratio API / COPY                                                : {api_rate / copy_rate:10.3f}")
    print(
        f"  COPY of the rows it wrote into the usage table's copy           : {ceiling_rate:10,.0f} events/s"
    )
    print(
        f"  ratio API / that COPY (indexes, foreign keys)                   : {api_rate / ceiling_rate:10.3f}"
    )
