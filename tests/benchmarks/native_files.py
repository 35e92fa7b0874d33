"""Native-format CSV files for the import benchmarks, written as a CRM export would be.

An organisation of `deals` deals walks the default funnel: every deal enters discovery when it is
created, most reach proposal, some negotiation, and about half of those close won or lost a month
later. Usage falls in a deal's first days, before it can close, so every row is valid.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

T0 = datetime(2024, 1, 1, tzinfo=UTC)
ASSETS, REPS = 60, 12
ACTIONS = ["viewed", "downloaded", "shared", "presented", "emailed"]
USAGE_HEADER = ["event_id", "deal_id", "asset", "rep_email", "action", "occurred_at"]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _created(n: int) -> datetime:
    return T0 + timedelta(minutes=37 * n)


def write_assets(folder: Path) -> None:
    with (folder / "assets.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["slug", "title", "kind", "summary", "buyer_roles", "stages", "url"])
        for a in range(ASSETS):
            w.writerow(
                [f"asset-{a}", f"Asset {a}", "deck", "", "champion", "proposal", f"https://x.example/{a}"]
            )


def write_deals(folder: Path, deals: int) -> int:
    """deals.csv and stage_history.csv; returns the number of history rows."""
    history = 0
    with (
        (folder / "deals.csv").open("w", newline="") as d,
        (folder / "stage_history.csv").open("w", newline="") as h,
    ):
        deals_out, history_out = csv.writer(d), csv.writer(h)
        deals_out.writerow(
            ["deal_id", "name", "account", "industry", "owner_email", "amount", "currency", "created_at"]
        )
        history_out.writerow(["deal_id", "stage", "entered_at"])
        for n in range(deals):
            created = _created(n)
            deals_out.writerow(
                [
                    f"D-{n}",
                    f"Deal {n}",
                    f"Account {n % 3000}",
                    "Software",
                    f"rep{n % REPS}@bench.example",
                    f"{1000 + n % 50000}.00",
                    "USD",
                    _when(created),
                ]
            )
            stages = ["discovery"]
            if n % 6:
                stages.append("proposal")
            if n % 6 and n % 4 == 0:
                stages.append("negotiation")
            if n % 6 and n % 3 == 0:
                stages.append("closed-won" if n % 2 else "closed-lost")
            for step, stage in enumerate(stages):
                history_out.writerow([f"D-{n}", stage, _when(created + timedelta(days=12 * step))])
            history += len(stages)
    return history


def write_usage(folder: Path, rows: int, deals: int, *, prefix: str = "ev") -> None:
    """usage.csv with `rows` events spread over the first `deals` deals, all before any could close."""
    with (folder / "usage.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(USAGE_HEADER)
        for n in range(rows):
            deal = n % deals
            w.writerow(
                [
                    f"{prefix}-{n}",
                    f"D-{deal}",
                    f"asset-{n % ASSETS}",
                    f"rep{deal % REPS}@bench.example",
                    ACTIONS[n % len(ACTIONS)],
                    _when(_created(deal) + timedelta(minutes=1 + n % 7000)),
                ]
            )


def write_org(folder: Path, deals: int, usage: int) -> dict[str, int]:
    """The five files of an organisation; returns the data rows per file."""
    folder.mkdir(parents=True, exist_ok=True)
    write_assets(folder)
    history = write_deals(folder, deals)
    write_usage(folder, usage, deals)
    return {"assets.csv": ASSETS, "deals.csv": deals, "stage_history.csv": history, "usage.csv": usage}
