"""Share links made through the admin, as marketing makes them."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone


def add_link(client, *, asset, deal, days: int = 30):
    expires = timezone.now() + timedelta(days=days)
    return client.post(
        reverse("admin:enablement_sharelink_add"),
        {
            "asset": asset.pk,
            "deal": deal.pk,
            "allow_download": "on",
            "expires_at_0": expires.strftime("%Y-%m-%d"),
            "expires_at_1": "00:00:00",
            "views-TOTAL_FORMS": "0",
            "views-INITIAL_FORMS": "0",
            "views-MIN_NUM_FORMS": "0",
            "views-MAX_NUM_FORMS": "1000",
        },
    )
