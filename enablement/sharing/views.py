"""The buyer's page behind a share link: no login, one asset, every view recorded."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from assets.files import asset_file_response, asset_preview, is_inline_safe
from assets.models import Asset
from assets.renditions.views import viewable_pdf_response
from config.client_address import client_address
from enablement.sharing.models import ShareLink
from enablement.sharing.selectors import share_link_by_token
from enablement.sharing.services import share_view_record


def _gone_unless_live(request: HttpRequest, link: ShareLink | None) -> HttpResponse | None:
    """The 410 page for a link that is unknown, withdrawn, expired or whose asset was unpublished."""
    reason = link.unavailable_reason() if link is not None else "expired"
    if not reason:
        return None
    return render(request, "enablement/buyer_gone.html", {"reason": reason}, status=410)


def buyer_view(request: HttpRequest, token: str) -> HttpResponse:
    """What the buyer sees: no login, one asset; every visit is recorded (the address only hashed)."""
    link = share_link_by_token(token)
    if gone := _gone_unless_live(request, link):
        return gone
    share_view_record(link=link, viewer_address=client_address(request))
    return render(
        request,
        "enablement/buyer.html",
        {"link": link, "asset": link.asset, "preview": asset_preview(link.asset)},
    )


@xframe_options_sameorigin  # shown in the buyer page's preview
def buyer_file(request: HttpRequest, token: str) -> HttpResponse:
    """The file for the buyer's page. Without the download switch only an inline-safe file is
    served, inline (anything else would reach the buyer as a download anyway)."""
    link = share_link_by_token(token)
    if gone := _gone_unless_live(request, link):
        return gone
    return buyer_asset_file(request, link.asset, allow_download=link.allow_download)


def buyer_pages(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF the buyer's page viewer reads (a deck's or document's rendition)."""
    link = share_link_by_token(token)
    if gone := _gone_unless_live(request, link):
        return gone
    return viewable_pdf_response(link.asset)


def buyer_asset_file(request: HttpRequest, asset: Asset, *, allow_download: bool) -> HttpResponse:
    """An asset's file for a buyer (share link or deal room): inline, or with `?download=1` as an
    attachment. Without the download switch only an inline-safe file is served, inline."""
    download = request.GET.get("download") == "1"
    version = asset.current_version
    if not allow_download and (download or (version is not None and not is_inline_safe(version.file.name))):
        return render(request, "enablement/buyer_gone.html", {"reason": "no_download"}, status=403)
    return asset_file_response(asset, inline=not download)
