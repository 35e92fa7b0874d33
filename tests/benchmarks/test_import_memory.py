"""Benchmark: peak memory of a native import grows with nothing but the batch, not the row count.

Each import runs in its own process (`manage.py import_crm`) on a fresh SQLite file. Its peak
resident memory is the kernel's high-water mark of that process's own address space (VmHWM, read as
it exits): wait4's ru_maxrss would also count the pages it shared with pytest before exec. Figures
are printed as ratios to two baselines measured in the same run: a plain Django process
(`manage.py check`), and reading the same usage.csv into a list, which is what a non-streaming
importer would hold.

Run with `make bench` (or `pytest -m benchmark -s`).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark

ROOT = Path(__file__).resolve().parents[2]
DEALS = 2_000
SMALL, LARGE = 20_000, 200_000


def write_native(folder: Path, usage_rows: int) -> None:
    folder.mkdir()
    with (folder / "deals.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["deal_id", "name", "account", "industry", "owner_email", "amount", "currency", "created_at"]
        )
        for n in range(DEALS):
            w.writerow(
                [
                    f"B-{n}",
                    f"Deal {n}",
                    f"Account {n % 300}",
                    "Software",
                    f"rep{n % 12}@bench.example",
                    1000 + n,
                    "USD",
                    "2025-01-01T00:00:00Z",
                ]
            )
    with (folder / "stage_history.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["deal_id", "stage", "entered_at"])
        for n in range(DEALS):
            w.writerow([f"B-{n}", "discovery", "2025-01-01T00:00:00Z"])
            w.writerow([f"B-{n}", "proposal", "2025-02-01T00:00:00Z"])
    with (folder / "usage.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["event_id", "deal_id", "asset", "rep_email", "action", "occurred_at"])
        for n in range(usage_rows):
            day = 1 + n % 58
            w.writerow(
                [
                    f"ev-{n}",
                    f"B-{n % DEALS}",
                    "bench-asset",
                    f"rep{n % 12}@bench.example",
                    "viewed",
                    f"2025-{1 + day // 29:02d}-{1 + day % 28:02d}T10:00:00Z",
                ]
            )


# Runs a Python script with its arguments, then reports the process's VmHWM (KiB) on stderr.
REPORT_PEAK = """
import atexit, runpy, sys
def report():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("PEAK_KIB=" + line.split()[1] + "\\n")
atexit.register(report)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def peak_rss_mib(script: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(peak resident MiB, seconds) of running a Python script with arguments in a fresh process."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", REPORT_PEAK, script, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    assert proc.returncode == 0, f"{script} {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK_KIB=")][-1]
    return int(peak.split("=")[1]) / 1024, elapsed


def test_native_import_peak_memory_is_flat_in_the_row_count(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_"))}
    manage = [sys.executable, "manage.py"]
    read_all = tmp_path / "read_all.py"
    read_all.write_text("import csv, sys\nrows = list(csv.reader(open(sys.argv[1])))\nprint(len(rows))\n")
    results = {}
    for rows in (SMALL, LARGE):
        folder = tmp_path / f"native-{rows}"
        write_native(folder, rows)
        run_env = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / f'bench-{rows}.sqlite3'}"}
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=run_env, check=True)
        (folder / "assets.csv").write_text(
            "slug,title,kind,summary,buyer_roles,stages,url\n"
            "bench-asset,Bench asset,deck,,,,https://bench.example/a\n"
        )
        results[rows] = peak_rss_mib(
            "manage.py", ["import_crm", "native", str(folder), "--no-progress"], run_env
        )
        if rows == LARGE:
            baseline = peak_rss_mib("manage.py", ["check"], run_env)
            in_memory = peak_rss_mib(str(read_all), [str(folder / "usage.csv")], env)

    small, large = results[SMALL][0], results[LARGE][0]
    print()
    print(f"native import, {DEALS:,} deals, {2 * DEALS:,} history rows, usage rows as below (SQLite)")
    print(f"  plain Django process (manage.py check) : {baseline[0]:7.1f} MiB peak")
    print(f"  usage.csv read into a list ({LARGE:,})  : {in_memory[0]:7.1f} MiB peak")
    for rows, (mib, seconds) in results.items():
        print(
            f"  import with {rows:>7,} usage rows        : {mib:7.1f} MiB peak, {seconds:5.1f} s, "
            f"{mib / baseline[0]:.2f}x the plain process"
        )
    print(
        f"  peak memory {LARGE:,} rows / {SMALL:,} rows: {large / small:.2f}x for {LARGE // SMALL}x the rows"
    )
    # Streaming: ten times the rows must not come near ten times the memory.
    assert large / small < 1.5
