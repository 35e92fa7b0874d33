"""The buyer's page behind a share link: no login, one asset, each view its page reports recorded."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assets.files import asset_file_response, is_inline_safe
from assets.models import Asset
from assets.previews import asset_preview
from assets.renditions.views import viewable_pdf_response
from config.client_address import client_address
from config.json_input import JSONInputError, json_read
from enablement.sharing.models import ShareLink
from enablement.sharing.selectors import share_link_by_token
from enablement.sharing.services import share_view_confirm, share_view_key

VIEW_REPORT_MAX_BYTES = 1024


def _gone_unless_live(request: HttpRequest, link: ShareLink | None) -> HttpResponse | None:
    """The 410 page for a link that is unknown, withdrawn, expired or whose asset was unpublished."""
    reason = link.unavailable_reason() if link is not None else "expired"
    if not reason:
        return None
    return render(request, "enablement/buyer_gone.html", {"reason": reason}, status=410)


def buyer_view(request: HttpRequest, token: str) -> HttpResponse:
    """What the buyer sees: no login, one asset. Fetching the page records nothing: its script
    reports the view (`buyer_view_seen`), so link previews and mail scanners, which fetch without
    running it, are no views."""
    link = share_link_by_token(token)
    if gone := _gone_unless_live(request, link):
        return gone
    tracking = {"view": share_view_key(link), "report": reverse("buyer-view-seen", args=[link.token])}
    return render(
        request,
        "enablement/buyer.html",
        {"link": link, "asset": link.asset, "preview": asset_preview(link.asset), "tracking": tracking},
    )


# sendBeacon carries no CSRF header (and the buyer has no session): the signed one-off key served
# with the page is what lets a report count.
@csrf_exempt
@require_POST
def buyer_view_seen(request: HttpRequest, token: str) -> JsonResponse:
    """The buyer's page reports that it ran and was shown: `{"view": <the key it was served with>}`."""
    link = share_link_by_token(token)
    if link is None or link.unavailable_reason():
        return JsonResponse({"detail": "This link is no longer live."}, status=410)
    if len(request.body) > VIEW_REPORT_MAX_BYTES:
        return JsonResponse({"detail": f"Send at most {VIEW_REPORT_MAX_BYTES} bytes."}, status=413)
    try:
        report = json_read(request.body)
    except JSONInputError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    if not isinstance(report, dict) or not isinstance(report.get("view"), str):
        return JsonResponse({"view": ['Send {"view": the key this page was served with}.']}, status=400)
    try:
        share_view_confirm(link=link, signed_key=report["view"], viewer_address=client_address(request))
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return JsonResponse(errors, status=400)
    return JsonResponse({"counted": True})


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
