"""The portal's catalogue pages: search (ranked by analytics on request) and an asset's page, which
offers the rep's open deals to log a use or share the asset."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assets import search as catalogue_search
from assets.choices import AssetKind, AssetStatus
from assets.models import AssetFeedback, BuyerRole, FunnelStage
from assets.previews import asset_preview
from assets.search import SORTS, SearchParams, SearchResult
from assets.selectors import visible_asset_or_404
from enablement.analytics.selectors import asset_effects, higher_lift
from enablement.deals.selectors import open_deals_of
from enablement.portal.forms import LogUseForm, ShareForm
from enablement.rooms import context as rooms_context

__all__ = ["SearchParams", "asset_detail", "asset_search", "search"]


def asset_search(*, user: AbstractBaseUser, params: SearchParams, log: bool = True) -> SearchResult:
    """The catalogue's search, with "Higher conversion" ranked by the current analytics run."""
    return catalogue_search.asset_search(user=user, params=params, log=log, lift=higher_lift)


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
        "stages": FunnelStage.objects.open(),
        "querystring": g.copy(),
    }
    # htmx swaps #search-page out of the full page, so facets and results change together.
    return render(request, "assets/search.html", context)


@login_required
def asset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    asset = visible_asset_or_404(request.user, slug)
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
        if has_deals and asset.status == AssetStatus.PUBLISHED and not asset.is_internal
        else None,
        "feedback": feedback,
        "useful_count": asset.feedback.filter(useful=True).count(),
        "effects": effects,
        "landmarks": [m for m, _ in effects if m.landmark_days],
        **rooms_context.for_asset(request, asset),
    }
    return render(request, "enablement/asset.html", context)
