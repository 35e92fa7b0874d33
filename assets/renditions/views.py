"""Responses for renditions, called by the views that checked who may see the asset (the rep's
pages, share links, deal rooms): never a route of their own, never /media/."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control

from assets.files import stored_file_response
from assets.models import Asset
from assets.renditions.selectors import thumbnail_of, viewable_pdf


def viewable_pdf_response(asset: Asset) -> HttpResponse:
    pdf = viewable_pdf(asset)
    if pdf is None:
        raise Http404("This asset has no pages to show.")
    return stored_file_response(pdf, inline=True)


def thumbnail_response(asset: Asset) -> HttpResponse:
    thumbnail = thumbnail_of(asset)
    if thumbnail is None:
        raise Http404("This asset has no thumbnail yet.")
    response = stored_file_response(thumbnail, inline=True)
    # Lists show many; the URL carries the version, so a new upload is a new URL.
    patch_cache_control(response, private=True, max_age=3600)
    return response
