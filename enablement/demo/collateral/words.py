"""What the demo's collateral says: sentences and numbers drawn per asset, shared by PDFs and decks."""

from __future__ import annotations

import random

from assets.models import Asset
from enablement.demo.data import CUSTOMERS

PAINS = [
    "Month-end reporting takes nine working days and three spreadsheets nobody trusts.",
    "Forecasts are rebuilt by hand every Monday, so the numbers are stale by Wednesday.",
    "Each region keeps its own definitions, so the board sees three versions of revenue.",
    "Analysts spend most of their week moving data instead of explaining it.",
]
OUTCOMES = [
    "One source of truth for pipeline, bookings and churn, refreshed every hour.",
    "Forecast accuracy within three percent by the second quarter.",
    "Board packs assembled in an afternoon instead of a week.",
    "Analysts back on analysis: a third of their time returned.",
]
STEPS = ["Discovery workshop", "Connect the first three sources", "Pilot with one team", "Roll out by region"]


def figures(rng: random.Random) -> dict:
    hours = rng.randint(120, 480)
    return {
        "hours_saved": hours,
        "payback_months": rng.randint(4, 11),
        "three_year_roi": rng.randint(180, 460),
        "accuracy": rng.randint(2, 6),
        "quarters": [rng.randint(20, 60) + 12 * q for q in range(4)],
        "teams": rng.randint(3, 14),
    }


def points(rng: random.Random, pool: list[str], n: int = 3) -> list[str]:
    return rng.sample(pool, k=min(n, len(pool)))


def customer_quote(words: dict, rng: random.Random) -> str:
    name = rng.choice(CUSTOMERS)
    return f"“We stopped arguing about whose number is right.” Head of Finance, {name}"


def markdown_text(asset: Asset, *, words: dict, rng: random.Random) -> str:
    """Email templates and demo scripts, as marketing writes them: Markdown, rendered by the product."""
    n = figures(rng)
    product = words["product"]
    if asset.kind == "email_template":
        return (
            f"# {asset.title}\n\n**Subject:** Next step after today's {product} demo\n\n"
            f"Hi {{first name}},\n\nThank you for your time today. Three things we heard:\n\n"
            + "".join(f"- {p}\n" for p in points(rng, PAINS))
            + f"\n{product} customers recover about **{n['hours_saved']} hours a month**, with payback "
            f"in {n['payback_months']} months.\n\n"
            "**Proposed next step:** a 45-minute working session with your analytics lead.\n\n"
            "Best regards,\n{your name}\n"
        )
    rows = "".join(f"| {i + 1} | {step} | {rng.randint(3, 8)} min |\n" for i, step in enumerate(STEPS))
    return (
        f"# {asset.title}\n\n{asset.summary}\n\n## Before the call\n\n"
        "- Confirm who is in the room and what they own.\n- Load the buyer's own sample data.\n\n"
        f"## The flow\n\n| Step | What to show | Time |\n|---|---|---|\n{rows}\n"
        "## Questions to ask\n\n"
        + "".join(f"1. How does this play out for you: *{p}*\n" for p in points(rng, PAINS, 2))
        + f"\n> Close on the outcome: {rng.choice(OUTCOMES)}\n"
    )
