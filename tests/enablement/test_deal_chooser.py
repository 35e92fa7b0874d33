"""An asset page's deal choosers list a rep's most recently active open deals and find any other as
the rep types, so the page is the same size for a rep with 10 open deals and one with 2,000."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from enablement.deals.models import Deal
from enablement.portal.forms import DEAL_CHOICES
from enablement.usage.models import UsageEvent
from tests.factories import AssetFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db


def open_deals(rep, n: int, prefix: str) -> None:
    """n open deals of the rep, named alike (`<prefix> 0001` …), in one INSERT."""
    Deal.objects.bulk_create(
        Deal(source="native", external_id=f"{rep.username}-{i}", name=f"{prefix} {i:04d}", owner=rep)
        for i in range(n)
    )


def page_size(client, rep, asset) -> int:
    client.force_login(rep)
    body = client.get(reverse("asset-detail", args=[asset.slug])).content.decode()
    # Random tokens (the CSRF token, the scripts' nonce) out, and ids and the deals' numbers differ in
    # digits only: the page's shape is compared.
    body = re.sub(r"[A-Za-z0-9+/=_-]{16,}", "T", body)
    return len(re.sub(r"\d+", "0", body))


def test_the_asset_page_is_the_same_size_with_10_and_with_2000_open_deals(client):
    asset = AssetFactory(title="ROI calculator")
    few, many = (
        UserFactory(username=name, first_name="Sam", last_name="Lee", role="Reps")
        for name in ("rep-a", "rep-b")
    )
    open_deals(few, 10, "Acme")
    open_deals(many, 2000, "Acme")
    assert page_size(client, few, asset) == page_size(client, many, asset)


def test_the_chooser_lists_the_latest_deals_and_the_search_finds_any_other(client, rep):
    open_deals(rep, DEAL_CHOICES + 30, "Initech")
    hidden = DealFactory(owner=rep, name="Globex platform renewal")
    Deal.objects.filter(pk=hidden.pk).update(updated_at=hidden.updated_at.replace(year=2000))  # least active
    other_reps = DealFactory(name="Globex rollout")
    asset = AssetFactory()
    client.force_login(rep)
    page = client.get(reverse("asset-detail", args=[asset.slug])).text
    assert "Globex platform renewal" not in page
    assert page.count("Initech ") == 2 * DEAL_CHOICES  # the log-use and the share choosers
    found = client.get(reverse("deal-options"), {"deal_search": "globex", "stages": "1"}).text
    assert f'value="{hidden.pk}"' in found and "Globex platform renewal" in found
    assert f'value="{other_reps.pk}"' not in found  # another rep's deal is never offered
    assert "No open deal of yours matches" in client.get(reverse("deal-options"), {"deal_search": "zzz"}).text
    reply = client.post(reverse("asset-use", args=[asset.slug]), {"deal": hidden.pk, "action": "presented"})
    assert reply.status_code == 200
    assert UsageEvent.objects.filter(deal=hidden, asset=asset, rep=rep).exists()
