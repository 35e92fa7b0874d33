"""The buyer's share-link page as a browser shows it: fetched, then its script reports the view."""

from __future__ import annotations

import json
import re

from django.test import Client
from django.urls import reverse


def served_key(page_html: str) -> str:
    """The one-off view key the page was served with (its `share-tracking` data)."""
    found = re.search(r'<script id="share-tracking" type="application/json">(.*?)</script>', page_html, re.S)
    assert found, "the page carries no view key"
    return json.loads(found.group(1))["view"]


def report_view(client: Client, token: str, key: str, **headers):
    """What static/js/share.js sends once the page is shown."""
    return client.post(
        reverse("buyer-view-seen", args=[token]),
        json.dumps({"view": key}),
        content_type="application/json",
        **headers,
    )


def open_share_link(client: Client, token: str, **headers):
    """Fetch the buyer's page and report the view as its script does; returns the page."""
    page = client.get(reverse("buyer-view", args=[token]), **headers)
    if page.status_code == 200:
        assert report_view(client, token, served_key(page.text), **headers).status_code == 200
    return page
