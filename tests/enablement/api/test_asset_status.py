"""An asset's status changes through the API under the same rule as in the admin and imports."""

from __future__ import annotations

from rest_framework.test import APIClient

from assets.models import Asset
from tests.factories import AssetFactory


def marketing_client(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(world["marketing"])
    return client


def test_marketing_archives_an_asset_with_a_patch_of_its_status(world):
    reply = marketing_client(world).patch(
        "/api/v1/assets/roi-calculator/", {"status": "archived"}, format="json"
    )
    assert reply.status_code == 200 and reply.json()["status"] == "archived"
    assert Asset.objects.get(slug="roi-calculator").status == "archived"


def test_publishing_an_asset_without_content_is_a_400_naming_status_and_changes_nothing(world):
    AssetFactory(slug="empty-deck", title="Empty deck", draft=True, external_url="")
    reply = marketing_client(world).patch(
        "/api/v1/assets/empty-deck/", {"status": "published", "title": "Full deck"}, format="json"
    )
    assert reply.status_code == 400
    assert "nothing to publish" in reply.json()["status"][0]
    asset = Asset.objects.get(slug="empty-deck")
    assert (asset.status, asset.title) == ("draft", "Empty deck")


def test_a_rep_cannot_change_a_status(world):
    client = APIClient()
    client.force_authenticate(world["rep"])
    reply = client.patch("/api/v1/assets/roi-calculator/", {"status": "archived"}, format="json")
    assert reply.status_code == 403
    assert Asset.objects.get(slug="roi-calculator").status == "published"


def test_emptying_the_url_of_a_published_asset_with_no_file_is_a_400_naming_url_and_changes_nothing(world):
    reply = marketing_client(world).patch(
        "/api/v1/assets/roi-calculator/", {"url": "", "title": "ROI sheet"}, format="json"
    )
    assert reply.status_code == 400
    assert "needs a file or an external URL" in reply.json()["url"][0]
    asset = Asset.objects.get(slug="roi-calculator")
    assert (asset.status, asset.title, asset.has_content) == ("published", "ROI calculator", True)


def test_a_published_asset_can_trade_its_url_for_another(world):
    reply = marketing_client(world).patch(
        "/api/v1/assets/roi-calculator/", {"url": "https://media.example.com/roi-v2"}, format="json"
    )
    assert reply.status_code == 200 and reply.json()["url"] == "https://media.example.com/roi-v2"
