"""The catalogue admin: uploads become versions, status changes obey the publishing rule."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assets.choices import AssetStatus
from assets.models import Asset
from tests.assets.forms import asset_form
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_uploading_a_file_in_the_admin_creates_version_one_and_makes_it_current(client, marketer):
    client.force_login(marketer)
    upload = SimpleUploadedFile("globex.pdf", b"%PDF-1.4 fake", content_type="application/pdf")
    response = client.post(
        reverse("admin:assets_asset_add"),
        asset_form(**{"versions-0-file": upload, "versions-0-note": "First cut", "status": "published"}),
    )
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    asset = Asset.objects.get(slug="globex-case-study")
    assert asset.current_version.number == 1
    assert asset.current_version.note == "First cut"
    assert asset.current_version.author == marketer
    assert asset.status == AssetStatus.PUBLISHED and asset.published_at is not None


def test_publishing_in_the_admin_without_content_saves_a_draft_and_says_why(client, marketer):
    client.force_login(marketer)
    response = client.post(reverse("admin:assets_asset_add"), asset_form(status="published"), follow=True)
    asset = Asset.objects.get(slug="globex-case-study")
    assert asset.status == AssetStatus.DRAFT
    assert "nothing to publish" in response.text


def test_publish_action_publishes_those_with_content_and_names_those_without(client, marketer):
    ready = AssetFactory(draft=True)
    empty = AssetFactory(draft=True, external_url="", title="Empty shell")
    client.force_login(marketer)
    response = client.post(
        reverse("admin:assets_asset_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, empty.pk]},
        follow=True,
    )
    ready.refresh_from_db()
    empty.refresh_from_db()
    assert ready.status == AssetStatus.PUBLISHED
    assert empty.status == AssetStatus.DRAFT
    assert "1 asset(s) published" in response.text
    assert "Empty shell" in response.text


def test_archive_action_archives_the_selection(client, marketer):
    assets = AssetFactory.create_batch(2)
    client.force_login(marketer)
    client.post(
        reverse("admin:assets_asset_changelist"),
        {"action": "archive", "_selected_action": [a.pk for a in assets]},
    )
    assert set(Asset.objects.values_list("status", flat=True)) == {AssetStatus.ARCHIVED}


def test_overdue_review_dates_are_flagged_in_the_list(client, marketer):
    AssetFactory(title="Old deck", review_by="2020-01-01")
    client.force_login(marketer)
    response = client.get(reverse("admin:assets_asset_changelist"))
    assert "(overdue)" in response.text


def test_marketing_finds_an_owner_with_the_admins_autocomplete(client, marketer):
    from tests.factories import UserFactory

    maria = UserFactory(username="maria", last_name="Lopez", role="Marketing", is_staff=True)
    UserFactory(username="mario", role="Reps")  # not staff: owns no catalogue
    client.force_login(marketer)
    page = client.get(reverse("admin:assets_asset_add")).text
    url = reverse("admin:assets_asset_owner_autocomplete")
    assert f'data-ajax--url="{url}"' in page
    query = {"term": "lopez", "app_label": "assets", "model_name": "asset", "field_name": "owner"}
    response = client.get(url, query)
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(maria.pk), "text": "maria"}]
    assert client.get(url, {**query, "term": "mario"}).json()["results"] == []
    client.post(reverse("admin:assets_asset_add"), asset_form(owner=maria.pk))
    assert Asset.objects.get(slug="globex-case-study").owner == maria
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403  # still no user admin


def test_a_product_typed_with_a_space_stays_one_tag(client, marketer):
    client.force_login(marketer)
    response = client.post(
        reverse("admin:assets_asset_add"),
        asset_form(products="Insight Edge, Forecast Pro", industries='"Retail, online", Healthcare'),
    )
    assert response.status_code == 302
    asset = Asset.objects.get(slug="globex-case-study")
    assert sorted(asset.products.names()) == ["Forecast Pro", "Insight Edge"]
    assert sorted(asset.industries.names()) == ["Healthcare", "Retail, online"]
    page = client.get(reverse("admin:assets_asset_change", args=[asset.pk])).text
    assert 'value="Forecast Pro, Insight Edge"' in page


def test_the_admin_sets_an_assets_audience(client, marketer):
    client.force_login(marketer)
    client.post(reverse("admin:assets_asset_add"), asset_form(kind="battlecard", audience="internal"))
    assert Asset.objects.get(slug="globex-case-study").audience == "internal"
