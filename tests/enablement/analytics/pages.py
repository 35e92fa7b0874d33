"""The analytics pages, and reading them as a person does."""

from __future__ import annotations

from tests.enablement.analytics.verdict_words import contradictions

PAGES = [
    "analytics-funnel",
    "analytics-assets",
    "analytics-coverage",
    "analytics-build-next",
    "analytics-retire",
    "analytics-stalled",
    "analytics-digest",
]


def pages_read(client, urls: list[str]) -> tuple[list[str], int]:
    problems, checked = [], 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found, n = contradictions(response.text)
        problems += [f"{url}: {p}" for p in found]
        checked += n
    return problems, checked
