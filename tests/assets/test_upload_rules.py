"""What may be uploaded: an extension allow-list per kind of upload and a size cap (UPLOAD_MAX_MB),
refused before anything is stored, in the catalogue service and on the admin's fields."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assets.models import Asset, AssetVersion
from assets.services import asset_version_add
from enablement.models import ImportRun
from tests.assets.forms import asset_form
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db

MARKUP = b"<svg xmlns='http://www.w3.org/2000/svg'><script>fetch('/api/v1/deals/')</script></svg>"


def stored_files(settings) -> list:
    return [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


@pytest.mark.parametrize("name", ["page.html", "logo.svg", "page.xhtml", "tool.js", "deck.pdf.htm", "notes"])
def test_the_catalogue_service_refuses_a_file_type_outside_the_allow_list(settings, name):
    asset = AssetFactory(external_url="")
    with pytest.raises(ValidationError, match=r"is not accepted here\. Upload one of: \.csv, \.docx"):
        asset_version_add(asset=asset, file=ContentFile(MARKUP, name=name))
    assert not AssetVersion.objects.exists() and not stored_files(settings)


@pytest.mark.parametrize("name", ["deck.pdf", "photo.JPG", "brief.docx", "prices.csv", "battlecard.md"])
def test_the_catalogue_service_accepts_the_listed_types(name):
    version = asset_version_add(asset=AssetFactory(external_url=""), file=ContentFile(b"x", name=name))
    assert version.number == 1


def test_the_catalogue_service_refuses_a_file_over_the_size_cap_naming_the_limit(settings):
    settings.UPLOAD_MAX_MB = 1
    asset = AssetFactory(external_url="")
    with pytest.raises(ValidationError, match=r"“deck\.pdf” is 1\.5 MB; files are limited to 1 MB\."):
        asset_version_add(asset=asset, file=ContentFile(b"x" * (3 * 512 * 1024), name="deck.pdf"))
    assert not AssetVersion.objects.exists() and not stored_files(settings)


@pytest.mark.parametrize("name", ["page.html", "logo.svg", "page.xhtml"])
def test_the_admin_refuses_markup_on_the_version_field_with_the_reason(client, marketer, settings, name):
    client.force_login(marketer)
    upload = SimpleUploadedFile(name, MARKUP, content_type="text/html")
    response = client.post(reverse("admin:assets_asset_add"), asset_form(**{"versions-0-file": upload}))
    assert response.status_code == 200  # the form again, with the error on the inline's field
    assert f"“{name}” is a {name[name.rindex('.') :]} file, which is not accepted here." in response.text
    assert not Asset.objects.exists() and not stored_files(settings)


def test_the_admin_refuses_an_oversize_version_naming_the_limit(client, marketer, settings):
    settings.UPLOAD_MAX_MB = 1
    client.force_login(marketer)
    upload = SimpleUploadedFile("deck.pdf", b"x" * (2 * 1024 * 1024), content_type="application/pdf")
    response = client.post(reverse("admin:assets_asset_add"), asset_form(**{"versions-0-file": upload}))
    assert response.status_code == 200
    assert "“deck.pdf” is 2.0 MB; files are limited to 1 MB." in response.text
    assert not Asset.objects.exists() and not stored_files(settings)


@pytest.mark.parametrize(
    ("field", "name", "reason"),
    [
        (
            "file",
            "export.html",
            "“export.html” is a .html file, which is not accepted here. Upload one of: .csv, .zip.",
        ),
        (
            "file",
            "export.xlsx",
            "“export.xlsx” is a .xlsx file, which is not accepted here. Upload one of: .csv, .zip.",
        ),
        (
            "stage_map_file",
            "map.zip",
            "“map.zip” is a .zip file, which is not accepted here. Upload one of: .csv.",
        ),
    ],
)
def test_the_admin_import_upload_has_its_own_allow_list(client, marketer, settings, field, name, reason):
    client.force_login(marketer)
    files = {
        "file": SimpleUploadedFile("deals.csv", b"deal_id,name\n"),
        field: SimpleUploadedFile(name, b"x"),
    }
    response = client.post(reverse("admin:enablement_importrun_add"), {"format": "hubspot", **files})
    assert response.status_code == 200 and reason in response.text
    assert not ImportRun.objects.exists() and not stored_files(settings)


def test_the_admin_import_upload_has_the_same_size_cap(client, marketer, settings):
    settings.UPLOAD_MAX_MB = 1
    client.force_login(marketer)
    big = SimpleUploadedFile("deals.csv", b"x" * (5 * 1024 * 1024))
    response = client.post(reverse("admin:enablement_importrun_add"), {"format": "hubspot", "file": big})
    assert (
        response.status_code == 200 and "“deals.csv” is 5.0 MB; files are limited to 1 MB." in response.text
    )
    assert not ImportRun.objects.exists()
