"""The rep portal's catalogue pages: search, an asset's page, downloads, feedback, content requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from assets import services
from assets.choices import AssetKind, AssetStatus
from assets.files import asset_file_response, asset_preview
from assets.forms import ContentRequestForm, FeedbackForm
from assets.models import Asset, AssetFeedback, BuyerRole, ContentRequest, FunnelStage
from assets.search import SORTS, SearchParams, asset_search
from assets.selectors import assets_visible_to
from enablement.analytics.selectors import asset_effects
from enablement.forms import LogUseForm, ShareForm
from enablement.selectors import open_deals_of


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


@login_required
def search(request: HttpRequest) -> HttpResponse:
    g = request.GET
    params = SearchParams(
        q=g.get("q", ""),
        buyer_role=g.get("buyer_role", ""),
        stage=g.get("stage", ""),
        kind=g.get("kind", ""),
        industry=g.get("industry", ""),
        product=g.get("product", ""),
        sort=g.get("sort", ""),
        page=_int(g.get("page")),
    )
    result = asset_search(user=request.user, params=params)
    kind_counts = {
        value: count for facet in result.facets if facet.name == "kind" for value, _, count in facet.options
    }
    context = {
        "params": params,
        "result": result,
        "sorts": SORTS,
        "kinds": [(value, label, kind_counts.get(value)) for value, label in AssetKind.choices],
        "roles": BuyerRole.objects.all(),
        "stages": FunnelStage.objects.filter(outcome="open"),
        "querystring": g.copy(),
    }
    # htmx swaps #search-page out of the full page, so facets and results change together.
    return render(request, "assets/search.html", context)


def visible_asset_or_404(request: HttpRequest, slug: str) -> Asset:
    # Another status than published is a 404 for reps: an unpublished asset does not exist for them.
    return get_object_or_404(
        assets_visible_to(request.user).select_related("current_version", "owner"), slug=slug
    )


@login_required
def asset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    asset = visible_asset_or_404(request, slug)
    has_deals = open_deals_of(request.user).exists()
    feedback = AssetFeedback.objects.filter(asset=asset, user=request.user).first()
    effects = asset_effects(asset)
    context = {
        "asset": asset,
        "roles": asset.buyer_roles.all(),
        "stages": asset.stages.all(),
        "versions": asset.versions.select_related("author"),
        "preview": asset_preview(asset),
        "use_form": LogUseForm(user=request.user) if has_deals else None,
        "share_form": ShareForm(user=request.user)
        if has_deals and asset.status == AssetStatus.PUBLISHED
        else None,
        "feedback": feedback,
        "useful_count": asset.feedback.filter(useful=True).count(),
        "effects": effects,
        "landmarks": [m for m, _ in effects if m.landmark_days],
    }
    return render(request, "assets/detail.html", context)


@login_required
def asset_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The tracked download (or the external link, tracked too)."""
    asset = visible_asset_or_404(request, slug)
    services.asset_download_record(asset=asset, user=request.user)
    return asset_file_response(asset, inline=False)


@login_required
@xframe_options_sameorigin  # shown in the asset page's own preview frame
def asset_file(request: HttpRequest, slug: str) -> HttpResponse:
    """The file for the page's preview (not counted as a download): inline only if inline-safe."""
    return asset_file_response(visible_asset_or_404(request, slug), inline=True)


@login_required
@require_POST
def asset_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    asset = visible_asset_or_404(request, slug)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        feedback = services.asset_feedback_record(
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
                services.content_request_create(user=request.user, **form.cleaned_data)
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
    voted = services.content_request_vote(request=item, user=request.user)
    if request.htmx:
        return render(
            request, "assets/_vote.html", {"item": item, "voted": voted, "votes": item.voters.count()}
        )
    return redirect("content-requests")
