"""Versions stored before renditions existed are rendered on demand: `render_assets [--missing]` and
the admin's action."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from assets.renditions.models import Rendition
from tests.factories import AssetFactory, AssetVersionFactory
from tests.files import pdf_with_pages

pytestmark = pytest.mark.django_db


def legacy_pdf(title: str, pages: int):
    """A version as stored before renditions: no Rendition row."""
    from django.core.files.base import ContentFile

    asset = AssetFactory(title=title, external_url="")
    body = pdf_with_pages([f"p{n}" for n in range(pages)])
    return AssetVersionFactory(asset=asset, file=ContentFile(body, name="old.pdf"), current=True)


def test_render_assets_missing_renders_only_versions_without_a_rendition(capsys):
    old = legacy_pdf("Old proposal", 4)
    done = legacy_pdf("Done already", 1)
    Rendition.objects.create(version=done, status="failed", error="kept")
    call_command("render_assets", "--missing")
    out = capsys.readouterr().out
    assert Rendition.objects.get(version=old).page_count == 4
    assert Rendition.objects.get(version=done).error == "kept"
    assert "[1/1] Old proposal v" in out and "Renditions: ready 1." in out


def test_render_assets_without_missing_renders_every_version_again():
    done = legacy_pdf("Done already", 2)
    Rendition.objects.create(version=done, status="failed", error="old reason")
    call_command("render_assets")
    rendition = Rendition.objects.get(version=done)
    assert (rendition.status, rendition.error, rendition.page_count) == ("ready", "", 2)


def test_the_admin_action_queues_the_selected_assets_current_versions(
    client, marketer, django_capture_on_commit_callbacks
):
    version = legacy_pdf("Old proposal", 3)
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:assets_asset_changelist"),
            {"action": "render_again", "_selected_action": [version.asset_id]},
            follow=True,
        )
    assert "1 version(s) queued for rendering." in response.text
    assert Rendition.objects.get(version=version).page_count == 3
