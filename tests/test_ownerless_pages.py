"""Assets and deals with no owner — as `import_crm native` makes them — render on every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from assets.models import Asset
from enablement.models import Deal
from tests.enablement.importing import import_crm

pytestmark = pytest.mark.django_db

ASSETS = """slug,title,kind,summary,buyer_roles,stages,url,status
orphan-guide,Orphan buyer guide,one_pager,Made by the importer.,champion,discovery,https://docs.example.com/g,
"""
# Deals without an owner_email, walking discovery → qualification, one of them stalled.
DEALS = "deal_id,name,account,industry,owner_email,amount,currency,created_at\n" + "".join(
    f"O-{i},Ownerless deal {i},,,,,USD,2025-01-01T00:00:00Z\n" for i in range(8)
)
HISTORY = (
    "deal_id,stage,entered_at\n"
    + "".join(
        f"O-{i},discovery,2025-01-01T00:00:00Z\nO-{i},proposal,2025-01-0{2 + i % 3}T00:00:00Z\n"
        for i in range(7)
    )
    + "O-7,discovery,2025-01-01T00:00:00Z\n"
)


@pytest.fixture
def imported(tmp_path: Path):
    folder = tmp_path / "native"
    folder.mkdir()
    (folder / "assets.csv").write_text(ASSETS)
    (folder / "deals.csv").write_text(DEALS)
    (folder / "stage_history.csv").write_text(HISTORY)
    import_crm("native", str(folder))
    call_command("compute_analytics", stdout=open("/dev/null", "w"))  # noqa: SIM115
    asset, stalled = Asset.objects.get(slug="orphan-guide"), Deal.objects.get(external_id="O-7")
    assert asset.owner is None and stalled.owner is None  # what the importer made
    Asset.objects.filter(pk=asset.pk).update(review_by="2020-01-01")  # so "retire" lists it
    return asset, stalled


@pytest.mark.parametrize("who", ["rep", "marketer", "admin_user"])
def test_an_imported_asset_with_no_owner_renders_for_every_role(client, request, imported, who):
    asset, _ = imported
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("asset-detail", args=[asset.slug]))
    assert page.status_code == 200
    assert "Orphan buyer guide" in page.text and "<dt>Owner</dt><dd>—</dd>" in page.text
    assert "Orphan buyer guide" in client.get(reverse("search"), {"q": "orphan"}).text
    assert "Orphan buyer guide" in client.get(reverse("home")).text


@pytest.mark.parametrize("who", ["marketer", "admin_user"])
def test_an_imported_deal_with_no_owner_renders_on_its_page(client, request, imported, who):
    _, deal = imported
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("deal-detail", args=[deal.pk]))
    assert page.status_code == 200 and "owner —" in page.text


def test_analytics_pages_list_ownerless_assets_and_deals(client, marketer, imported):
    _, deal = imported
    client.force_login(marketer)
    retire = client.get(reverse("analytics-retire"))
    assert retire.status_code == 200 and "Orphan buyer guide" in retire.text and "no owner" in retire.text
    stalled = client.get(reverse("analytics-stalled"))
    assert stalled.status_code == 200 and deal.name in stalled.text
    export = client.get(reverse("analytics-stalled"), {"format": "csv"})
    assert (
        export.status_code == 200 and "O-7,Ownerless deal 7,,," in b"".join(export.streaming_content).decode()
    )


def test_the_admin_shows_ownerless_assets_and_deals(client, admin_user, imported):
    asset, deal = imported
    client.force_login(admin_user)
    for url in (
        reverse("admin:assets_asset_changelist"),
        reverse("admin:assets_asset_change", args=[asset.pk]),
        reverse("admin:enablement_deal_changelist"),
        reverse("admin:enablement_deal_change", args=[deal.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_api_shows_an_ownerless_deal_with_a_null_owner(client, admin_user, imported):
    _, deal = imported
    client.force_login(admin_user)
    reply = client.get(f"/api/v1/deals/{deal.external_id}/")
    assert reply.status_code == 200 and reply.json()["owner"] is None
