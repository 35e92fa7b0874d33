"""The content studio: marketing uploads files as drafts, edits, versions, publishes and archives
through the catalogue's services, and sees each asset's processing state; reps are kept out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset, BuyerRole, FunnelStage
from tests.factories import AssetFactory, UserFactory
from tests.files import pdf_with_pages

pytestmark = pytest.mark.django_db


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_with_pages(["One", "Two"]), content_type="application/pdf")


def test_reps_are_kept_out_and_marketing_finds_it_in_the_navigation(client, rep, marketer):
    client.force_login(rep)
    assert client.get(reverse("studio")).status_code == 403
    assert "Content studio" not in client.get(reverse("home")).text
    client.force_login(marketer)
    assert 'href="/studio/"' in client.get(reverse("home")).text


def test_several_files_become_drafts_titled_after_their_names(client, marketer):
    client.force_login(marketer)
    files = [pdf("Globex_case-study.pdf"), SimpleUploadedFile("pitch.pptx", b"PK"), pdf("run.exe")]
    response = client.post(reverse("studio-upload"), {"files": files}, follow=True)
    titles = dict(Asset.objects.values_list("title", "kind"))
    assert titles == {"Globex case study": "one_pager", "Pitch": "deck"}
    assert all(a.status == "draft" and a.owner == marketer for a in Asset.objects.all())
    assert "“run.exe” is a .exe file, which is not accepted here" in response.text


def test_the_script_uploads_one_file_at_a_time_and_gets_json(client, marketer, settings):
    client.force_login(marketer)
    ok = client.post(reverse("studio-upload"), {"files": [pdf("deck.pdf")]}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 200 and ok.json()["edit_url"] == "/studio/deck/"
    settings.UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (1024 * 1024 + 10))
    refused = client.post(reverse("studio-upload"), {"files": [big]}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and "limited to 1 MB" in refused.json()["error"]
    assert Asset.objects.count() == 1


def test_the_list_shows_overdue_reviews_first_with_state_audience_and_recent_uses(client, marketer):
    today = timezone.localdate()
    AssetFactory(title="Fresh", review_by=today + timedelta(days=30))
    AssetFactory(title="Late", review_by=today - timedelta(days=3))
    AssetFactory(title="Card", kind="battlecard", audience="internal")
    client.force_login(marketer)
    page = client.get(reverse("studio")).text
    assert page.index("Late") < page.index("Fresh") < page.index(">Card<")
    assert "(overdue)" in page and "Internal only" in page
    assert 'for="studio-files">Files</label>' in page and "multiple" in page and "Up to 100 MB each" in page


def test_editing_saves_every_field_through_the_service_and_keeps_spaces_in_tags(client, marketer):
    asset = AssetFactory(title="Draft", draft=True, external_url="")
    owner = UserFactory(username="maria", role="Marketing", is_staff=True)
    role, stage = BuyerRole.objects.first(), FunnelStage.objects.get(slug="proposal")
    client.force_login(marketer)
    response = client.post(
        reverse("studio-edit", args=[asset.slug]),
        {
            "title": "Globex case study",
            "summary": "How Globex cut reporting time.",
            "guidance": "Send after discovery.",
            "kind": "case_study",
            "buyer_roles": [role.pk],
            "stages": [stage.pk],
            "audience": "internal",
            "owner": owner.pk,
            "review_by": "2027-03-01",
            "industries": "Retail",
            "products": "Insight Edge, Forecast Pro",
        },
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.title, asset.audience, asset.owner, str(asset.review_by)) == (
        "Globex case study",
        "internal",
        owner,
        "2027-03-01",
    )
    assert list(asset.buyer_roles.all()) == [role] and list(asset.stages.all()) == [stage]
    assert sorted(asset.products.names()) == ["Forecast Pro", "Insight Edge"]
    assert "Globex case study" in asset.search_document


def test_the_edit_form_opens_with_the_assets_values(client, marketer):
    asset = AssetFactory(title="Globex case study", owner=marketer, audience="internal")
    asset.products.set(["Insight Edge"])
    client.force_login(marketer)
    page = client.get(reverse("studio-edit", args=[asset.slug])).text
    assert 'value="Globex case study"' in page and 'value="Insight Edge"' in page
    assert f'<option value="{marketer.pk}" selected>' in page
    assert '<option value="internal" selected>' in page


def test_publish_needs_content_and_archive_withdraws(client, marketer):
    asset = AssetFactory(title="Empty", draft=True, external_url="")
    client.force_login(marketer)
    page = client.post(reverse("studio-publish", args=[asset.slug]), follow=True).text
    assert "has no file and no external URL" in page
    client.post(reverse("studio-version", args=[asset.slug]), {"file": pdf("v1.pdf"), "note": "First cut"})
    client.post(reverse("studio-publish", args=[asset.slug]))
    asset.refresh_from_db()
    assert asset.status == "published" and asset.current_version.note == "First cut"
    client.post(reverse("studio-archive", args=[asset.slug]))
    asset.refresh_from_db()
    assert asset.status == "archived"


def test_the_processing_state_is_polled_until_ready_and_shows_a_failure_with_its_reason(
    client, marketer, settings, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    client.post(reverse("studio-upload"), {"files": [pdf("queued.pdf")]})
    asset = Asset.objects.get(title="Queued")
    state = client.get(reverse("studio-state", args=[asset.slug])).text
    assert "Queued" in state and 'hx-trigger="every 3s"' in state
    settings.LIBREOFFICE = ""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("studio-upload"), {"files": [SimpleUploadedFile("deck.pptx", b"PK")]})
        client.post(reverse("studio-version", args=[asset.slug]), {"file": pdf("v2.pdf")})
    assert "Ready, 2 page(s)" in client.get(reverse("studio-state", args=[asset.slug])).text
    failed = client.get(reverse("studio-state", args=["deck"])).text
    assert "Failed: The file is not a readable PowerPoint deck" in failed and "every 3s" not in failed


def test_the_list_costs_the_same_queries_for_few_or_many_assets(client, marketer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("studio")).status_code == 200
        return len(captured)

    client.force_login(marketer)
    AssetFactory()
    few = queries()
    for n in range(8):
        asset = AssetFactory(external_url="")
        from django.core.files.base import ContentFile

        from assets.renditions.services import rendition_render
        from assets.services import asset_version_add

        version = asset_version_add(asset=asset, file=ContentFile(pdf_with_pages(["x"]), name=f"{n}.pdf"))
        rendition_render(version_id=version.pk)
    assert queries() == few
