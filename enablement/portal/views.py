"""The rep portal's home, deal pages and actions (the buyer's page: enablement.sharing.views)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assets.choices import AssetStatus
from assets.files import stored_file_response
from assets.models import Asset, AssetVersion
from assets.selectors import assets_visible_to, visible_asset_or_404
from enablement.buyers import context as buyers_context
from enablement.choices import UsageSource
from enablement.deals.selectors import deals_visible_to, open_deals_of
from enablement.importers.models import ImportRun
from enablement.portal.forms import LogUseForm, ShareForm, deal_choices
from enablement.portal.selectors import suggestions_for
from enablement.rooms import context as rooms_context
from enablement.sharing.selectors import recent_views_for
from enablement.sharing.services import share_link_create
from enablement.usage.selectors import usage_of_deal
from enablement.usage.services import usage_record

HOME_DEALS = 8


@login_required
def home(request: HttpRequest) -> HttpResponse:
    deals = list(open_deals_of(request.user)[:HOME_DEALS])
    new_assets = (
        Asset.objects.filter(status=AssetStatus.PUBLISHED)
        .select_related("current_version__rendition")
        .prefetch_related("buyer_roles", "stages")
        .order_by("-updated_at")[:6]
    )
    context = {
        "deals": deals,
        "open_count": open_deals_of(request.user).count(),
        "suggestions": suggestions_for(deals),
        "new_assets": new_assets,
        "share_views": recent_views_for(request.user),
        **rooms_context.for_home(request),
        **buyers_context.for_home(request),
    }
    return render(request, "enablement/home.html", context)


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Another rep's deal is a 404: its existence is not the rep's business.
    deal = get_object_or_404(deals_visible_to(request.user), pk=pk)
    history = list(deal.stage_changes.select_related("stage"))
    timeline = []
    for i, change in enumerate(history):
        until = history[i + 1].entered_at if i + 1 < len(history) else None
        days = ((until or timezone.now()) - change.entered_at).total_seconds() / 86400
        timeline.append({"change": change, "days": days, "current": until is None})
    context = {
        "deal": deal,
        "timeline": timeline,
        "usage": usage_of_deal(deal),
        "suggestions": suggestions_for([deal], per_deal=5).get(deal.pk, []) if deal.is_open else [],
        "links": deal.share_links.select_related("asset").annotate(view_count=Count("views")),
        **rooms_context.for_deal(request, deal),
        **buyers_context.for_deal(request, deal),
    }
    return render(request, "enablement/deal.html", context)


@login_required
@require_POST
def log_use(request: HttpRequest, slug: str) -> HttpResponse:
    asset = visible_asset_or_404(request.user, slug)
    form = LogUseForm(request.POST, user=request.user)
    context = {"asset": asset, "use_form": form}
    if form.is_valid():
        try:
            event, _ = usage_record(
                event_id=f"portal-{uuid.uuid4()}",
                asset=asset,
                deal=form.cleaned_data["deal"],
                rep=request.user,
                action=form.cleaned_data["action"],
                source=UsageSource.PORTAL,
            )
        except ValidationError as exc:  # e.g. the deal closed since the form was checked
            form.add_error(None, exc.messages)
        else:
            context.update(logged=event, use_form=LogUseForm(user=request.user))
    return render(request, "enablement/_log_use.html", context, status=200 if form.is_valid() else 400)


@login_required
@require_GET
def deal_options(request: HttpRequest) -> HttpResponse:
    """The deal choosers' options for what the rep typed (`deal_search`); `stages=1` names each stage."""
    q = request.GET.get("deal_search", "")
    context = {
        "deals": deal_choices(request.user, q),
        "q": q.strip(),
        "with_stage": request.GET.get("stages") == "1",
    }
    return render(request, "enablement/_deal_options.html", context)


@login_required
@require_POST
def share(request: HttpRequest, slug: str) -> HttpResponse:
    asset = visible_asset_or_404(request.user, slug)
    form = ShareForm(request.POST, user=request.user)
    context = {"asset": asset, "share_form": form}
    if form.is_valid():
        try:
            link = share_link_create(
                asset=asset,
                deal=form.cleaned_data["deal"],
                by=request.user,
                days=form.cleaned_data["days"],
                allow_download=form.cleaned_data["allow_download"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)  # its keys need not be form fields
        else:
            context.update(
                link=link, link_url=request.build_absolute_uri(reverse("buyer-view", args=[link.token]))
            )
    return render(request, "enablement/_share.html", context, status=200 if form.is_valid() else 400)


@login_required
def stored_file(request: HttpRequest, name: str) -> HttpResponse:
    """A stored upload by its storage name (the admin's file links), always as an attachment.

    An asset version's file goes to whoever may see the asset; a CRM import upload only to those who
    may see import runs. Any other name is a 404, as is a name that is not stored for either.
    """
    version = AssetVersion.objects.filter(file=name, asset__in=assets_visible_to(request.user)).first()
    if version is not None:
        return stored_file_response(version.file, inline=False)
    if request.user.has_perm("enablement.view_importrun"):
        run = ImportRun.objects.filter(Q(file=name) | Q(stage_map_file=name) | Q(role_map_file=name)).first()
        if run is not None:
            field = next(f for f in (run.file, run.stage_map_file, run.role_map_file) if f.name == name)
            return stored_file_response(field, inline=False)
    raise Http404("No such file, or not one you may see.")
