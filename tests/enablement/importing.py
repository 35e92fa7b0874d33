"""Helpers for the import tests."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from enablement.models import Account, Deal, StageChange, UsageEvent

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def import_crm(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_crm", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def copy_fixture(name: str, target: Path) -> Path:
    shutil.copytree(FIXTURES / name, target / name)
    return target / name


def database_state() -> dict:
    """Everything an import writes, to compare before and after."""
    return {
        "accounts": sorted(Account.objects.values_list("source", "external_id", "name", "industry")),
        "deals": sorted(
            Deal.objects.values_list(
                "source", "external_id", "name", "amount", "owner__username", "current_stage__slug"
            )
        ),
        "history": sorted(StageChange.objects.values_list("deal__external_id", "stage__slug", "entered_at")),
        "usage": sorted(UsageEvent.objects.values_list("event_id", "stage__slug")),
    }


def counts_line(output: str, name: str) -> list[int]:
    """[created, updated, unchanged, rejected] from the command's table."""
    for line in output.splitlines():
        if line.startswith(name + " "):
            return [int(x) for x in line.split()[1:]]
    raise AssertionError(f"no counts for {name} in:\n{output}")
