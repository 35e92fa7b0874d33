"""No URL serves MEDIA_ROOT, in debug either: a draft's file or an import upload is reached only
through views that check who may see it (or, for imports, not at all)."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.base import ContentFile
from django.urls import clear_url_caches

from enablement.models import ImportRun
from tests.factories import AssetFactory, AssetVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["DEBUG=True", "DEBUG=False"])
def urls_built_in_debug_mode(request, settings):
    """The URLconf as it is built when the process starts with DEBUG on, or off."""
    import config.urls

    original = settings.DEBUG
    settings.DEBUG = request.param
    importlib.reload(config.urls)
    clear_url_caches()
    yield request.param
    settings.DEBUG = original
    importlib.reload(config.urls)
    clear_url_caches()


def test_a_drafts_file_is_not_served_under_media(client, admin_user, urls_built_in_debug_mode):
    draft = AssetFactory(draft=True, external_url="")
    version = AssetVersionFactory(
        asset=draft, file=ContentFile(b"%PDF-1.4 secret", name="plan.pdf"), current=True
    )
    assert version.file.storage.exists(version.file.name)
    assert client.get(f"/media/{version.file.name}").status_code == 404
    client.force_login(admin_user)  # not even for someone allowed to see the draft: views serve files
    assert client.get(f"/media/{version.file.name}").status_code == 404


def test_an_import_upload_is_never_served(client, admin_user, urls_built_in_debug_mode):
    run = ImportRun.objects.create(format="hubspot", file=ContentFile(b"deal_id\n", name="deals.csv"))
    assert run.file.name.startswith("imports/") and run.file.storage.exists(run.file.name)
    client.force_login(admin_user)
    assert client.get(f"/media/{run.file.name}").status_code == 404


def test_the_admins_file_links_lead_to_a_view_that_checks_who_may_see_the_file(client, marketer, rep):
    draft = AssetFactory(draft=True, external_url="")
    version = AssetVersionFactory(
        asset=draft, file=ContentFile(b"%PDF-1.4 draft plan", name="plan.pdf"), current=True
    )
    client.force_login(marketer)
    page = client.get(f"/admin/assets/asset/{draft.pk}/change/")
    assert f'href="{version.file.url}"' in page.text and version.file.url.startswith("/files/")
    download = client.get(version.file.url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 draft plan"
    client.force_login(rep)  # a rep does not see drafts, so not their files either
    assert client.get(version.file.url).status_code == 404


def test_an_import_upload_downloads_only_for_people_who_see_import_runs(client, marketer, rep):
    run = ImportRun.objects.create(format="hubspot", file=ContentFile(b"deal_id\n", name="deals.csv"))
    client.force_login(rep)
    assert client.get(run.file.url).status_code == 404
    client.force_login(marketer)
    download = client.get(run.file.url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert client.get("/files/imports/none/such.csv").status_code == 404
    assert client.get("/files/../../etc/passwd").status_code == 404
