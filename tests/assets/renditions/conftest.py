"""Versions uploaded as marketing uploads them, and their renditions made as the worker makes them."""

from __future__ import annotations

import shutil

import pytest
from django.core.files.base import ContentFile

from assets.renditions.services import rendition_render
from assets.services import asset_version_add
from tests.factories import AssetFactory

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice is not installed (.ci/run installs Debian's libreoffice-*-nogui packages)",
)


@pytest.fixture
def uploaded(marketer):
    """upload(name, body) -> the asset, its version stored through the catalogue service and rendered."""

    def upload(name: str, body: bytes, *, title: str = "Globex deck", render: bool = True):
        asset = AssetFactory(title=title, external_url="")
        version = asset_version_add(asset=asset, file=ContentFile(body, name=name), author=marketer)
        if render:
            rendition_render(version_id=version.pk)
        asset.refresh_from_db()
        return asset

    return upload
