"""`make run` serves on port 8000, or on the one `PORT=` names (read from the Makefile's dry run)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_commands(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n prints the recipe without running it.
    done = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def test_make_run_serves_on_port_8000_by_default():
    assert "runserver 127.0.0.1:8000" in run_commands()


def test_make_run_port_moves_the_server_and_says_where():
    commands = run_commands("PORT=8100")
    assert "runserver 127.0.0.1:8100" in commands and "http://127.0.0.1:8100/" in commands
    assert "8000" not in commands
