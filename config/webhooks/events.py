"""The events other systems can subscribe to (docs/sign-in-provisioning-audit-webhooks.md describes
each one's data)."""

from __future__ import annotations

EVENTS: dict[str, str] = {
    "room.visit_started": "A buyer opened a deal room",
    "room.visit_ended": "A buyer's visit to a deal room ended (seconds per asset)",
    "share.viewed": "A buyer opened a share link",
    "asset.published": "An asset was published",
    "asset.review_due": "An asset is past its review-by date",
    "usage.recorded": "Reps' use of assets in deals was recorded",
    "analytics.computed": "The analytics were computed",
    "profile.approved": "A buyer profile was approved",
}


def events_refusal(names: list[str]) -> str | None:
    unknown = [name for name in names if name not in EVENTS]
    if unknown:
        return f"Unknown event(s): {', '.join(unknown)}. Use: {', '.join(EVENTS)}."
    if not names:
        return "Choose at least one event."
    return None
