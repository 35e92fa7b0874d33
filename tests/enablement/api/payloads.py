"""Usage events and permission cases the API tests send."""

from __future__ import annotations

EVENTS = [{"event_id": "chunked-1", "deal_id": "R1", "asset": "roi-calculator", "action": "viewed"}]


EVENT = {"event_id": "perm-1", "deal_id": "R1", "asset": "roi-calculator", "action": "viewed"}

# (method, path, body, expected status per actor in ACTORS order)
CASES = [
    ("get", "/api/v1/assets/", None, [401, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/assets/roi-calculator/", None, [401, 200, 200, 200, 200, 200]),
    ("post", "/api/v1/assets/", {"title": "New deck", "kind": "deck"}, [401, 403, 403, 201, 201, 201]),
    ("patch", "/api/v1/assets/roi-calculator/", {"summary": "Better"}, [401, 403, 403, 200, 200, 200]),
    ("get", "/api/v1/stages/", None, [401, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/buyer-roles/", None, [401, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/deals/", None, [401, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/deals/R1/", None, [401, 200, 404, 200, 200, 200]),
    ("post", "/api/v1/deals/", {"deal_id": "N9", "name": "New"}, [401, 403, 403, 403, 201, 201]),
    ("patch", "/api/v1/deals/R1/", {"name": "Renamed"}, [401, 403, 403, 403, 200, 200]),
    ("get", "/api/v1/deals/R1/stage-changes/", None, [401, 200, 404, 200, 200, 200]),
    (
        "post",
        "/api/v1/deals/R1/stage-changes/",
        {"stage": "negotiation", "entered_at": "2026-01-05T10:00:00Z"},
        [401, 403, 403, 403, 201, 201],
    ),
    ("post", "/api/v1/usage-events/", EVENT, [401, 200, 200, 403, 200, 200]),
    ("get", "/api/v1/analytics/stages/", None, [401, 403, 403, 200, 200, 200]),
    ("get", "/api/v1/analytics/assets/", None, [401, 403, 403, 200, 200, 200]),
    ("get", "/api/v1/analytics/gaps/", None, [401, 403, 403, 200, 200, 200]),
    ("get", "/api/v1/analytics/build-next/", None, [401, 403, 403, 200, 200, 200]),
]
