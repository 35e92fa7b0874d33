"""The catalogue's own pages: downloads, the preview file, feedback, content requests.

Search and an asset's page show deals and analytics too, so they are the portal's (enablement.portal).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from assets import feedback as rep_feedback
from assets.files import asset_file_response
from assets.forms import ContentRequestForm, FeedbackForm
from assets.models import BuyerRole, ContentRequest, FunnelStage
from assets.renditions.views import thumbnail_response, viewable_pdf_response
from assets.selectors import visible_asset_or_404


@login_required
def asset_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The tracked download (or the external link, tracked too)."""
    asset = visible_asset_or_404(request.user, slug)
    rep_feedback.asset_download_record(asset=asset, user=request.user)
    return asset_file_response(asset, inline=False)


@login_required
@xframe_options_sameorigin  # shown in the asset page's own preview frame
def asset_file(request: HttpRequest, slug: str) -> HttpResponse:
    """The file for the page's preview (not counted as a download): inline only if inline-safe."""
    return asset_file_response(visible_asset_or_404(request.user, slug), inline=True)


@login_required
@xframe_options_sameorigin
def asset_pages(request: HttpRequest, slug: str) -> HttpResponse:
    """The PDF the page viewer reads: the current version's rendition, or the upload when a PDF."""
    return viewable_pdf_response(visible_asset_or_404(request.user, slug))


@login_required
def asset_thumbnail(request: HttpRequest, slug: str) -> HttpResponse:
    """A picture of page 1 of the current version, for lists and the asset's page."""
    return thumbnail_response(visible_asset_or_404(request.user, slug))


@login_required
@require_POST
def asset_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    asset = visible_asset_or_404(request.user, slug)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        feedback = rep_feedback.asset_feedback_record(
            asset=asset,
            user=request.user,
            useful=form.cleaned_data["useful"],
            comment=form.cleaned_data["comment"],
        )
    else:
        feedback = None
    context = {
        "asset": asset,
        "feedback": feedback,
        "useful_count": asset.feedback.filter(useful=True).count(),
    }
    if request.htmx:
        return render(request, "assets/_feedback.html", context)
    messages.success(request, "Thanks, marketing will see your answer.")
    return redirect("asset-detail", slug=slug)


@login_required
def content_requests(request: HttpRequest) -> HttpResponse:
    """The queue of requested material, and the form to ask for more (pre-filled from a search)."""
    if request.method == "POST":
        form = ContentRequestForm(request.POST)
        if form.is_valid():
            try:
                rep_feedback.content_request_create(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Request sent to marketing. Other reps can vote for it.")
                return redirect("content-requests")
    else:
        initial = {"title": request.GET.get("q", "")}
        initial["buyer_role"] = BuyerRole.objects.filter(slug=request.GET.get("buyer_role", "")).first()
        initial["stage"] = FunnelStage.objects.filter(slug=request.GET.get("stage", "")).first()
        form = ContentRequestForm(initial=initial)
    voted = ContentRequest.voters.through.objects.filter(contentrequest=OuterRef("pk"), user=request.user)
    requests = (
        ContentRequest.objects.exclude(status__in=["done", "declined"])
        .select_related("buyer_role", "stage", "requested_by")
        .annotate(votes=Count("voters", distinct=True), voted=Exists(voted))
        .order_by("-votes", "-created_at")[:50]
    )
    return render(request, "assets/requests.html", {"form": form, "requests": requests})


@login_required
@require_POST
def content_request_vote(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ContentRequest, pk=pk)
    voted = rep_feedback.content_request_vote(request=item, user=request.user)
    if request.htmx:
        return render(
            request, "assets/_vote.html", {"item": item, "voted": voted, "votes": item.voters.count()}
        )
    return redirect("content-requests")
