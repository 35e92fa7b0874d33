"""The studio's one write of its own: an uploaded file becomes a draft asset, through the catalogue's
services (asset_create, asset_version_add) so the upload rules and renditions are the same as elsewhere."""

from __future__ import annotations

import re
from pathlib import PurePath

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction

from assets.choices import AssetKind
from assets.files import ASSET_UPLOAD_EXTENSIONS, suffix_of, upload_check
from assets.models import Asset
from assets.services import asset_create, asset_version_add

KIND_BY_EXTENSION = {
    ".pptx": AssetKind.DECK,
    ".odp": AssetKind.DECK,
    ".xlsx": AssetKind.ROI_CALCULATOR,
    ".ods": AssetKind.ROI_CALCULATOR,
    ".mp4": AssetKind.VIDEO,
    ".webm": AssetKind.VIDEO,
}


def title_from_name(name: str) -> str:
    """`Globex_case-study v2.pdf` -> `Globex case study v2`: what marketing would type."""
    stem = PurePath(name).stem
    words = re.sub(r"[_\-.]+", " ", stem).split()
    title = " ".join(words) or "Untitled upload"
    return title[:1].upper() + title[1:200]


@transaction.atomic
def asset_from_upload(*, file: File, by: AbstractBaseUser) -> Asset:
    """A draft asset titled after the file, owned by the uploader, with the file as version 1."""
    upload_check(file, allowed=ASSET_UPLOAD_EXTENSIONS)  # before anything is written
    kind = KIND_BY_EXTENSION.get(suffix_of(file.name), AssetKind.ONE_PAGER)
    asset = asset_create(title=title_from_name(file.name), kind=kind, owner=by)
    asset_version_add(asset=asset, file=file, author=by, note="Uploaded in the content studio")
    return asset
