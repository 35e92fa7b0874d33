"""The content studio's pages (marketing and admins: whoever may change assets)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assets import services
from assets.choices import AssetStatus
from assets.models import Asset
from enablement.form_messages import form_errors, messages_from
from enablement.studio.forms import AssetEditForm, VersionForm, upload_limits
from enablement.studio.selectors import studio_assets
from enablement.studio.services import asset_from_upload

PAGE_SIZE = 50


def marketing_only(view):
    @login_required
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        if not request.user.has_perm("assets.change_asset"):
            raise PermissionDenied("The content studio is for marketing and admins.")
        return view(request, *args, **kwargs)

    return checked


@marketing_only
def studio(request: HttpRequest) -> HttpResponse:
    q, status = request.GET.get("q", "")[:200], request.GET.get("status", "")
    status = status if status in AssetStatus.values else ""
    page = Paginator(studio_assets(q=q, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "status": status, "statuses": AssetStatus.choices, **upload_limits()}
    return render(request, "studio/list.html", context)


@marketing_only
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """One or many files, each a draft asset. The page's script sends them one by one (to show each
    one's progress) and asks for JSON; without script the form sends them all and gets the list back."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    files = request.FILES.getlist("files")
    if not files:
        if wants_json:
            return JsonResponse({"error": "Choose at least one file."}, status=400)
        messages.error(request, "Choose at least one file to upload.")
        return redirect("studio")
    made, refused = [], []
    for file in files:
        try:
            made.append(asset_from_upload(file=file, by=request.user))
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
    if wants_json:
        if refused:
            return JsonResponse({"error": refused[0]}, status=400)
        asset = made[0]
        return JsonResponse({"title": asset.title, "edit_url": reverse("studio-edit", args=[asset.slug])})
    for asset in made:
        messages.success(request, f"“{asset.title}” uploaded as a draft: fill in its details, then publish.")
    for reason in refused:
        messages.error(request, reason)
    return redirect("studio")


@marketing_only
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.select_related("owner", "current_version__rendition"), slug=slug)
    form = AssetEditForm(request.POST or None, asset=asset)
    if request.method == "POST" and form.is_valid():
        try:
            services.asset_update(asset=asset, data=form.changes(), by=request.user)
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            messages.success(request, f"“{asset.title}” saved.")
            return redirect("studio-edit", slug=asset.slug)
    context = {
        "asset": asset,
        "form": form,
        "version_form": VersionForm(),
        "versions": asset.versions.select_related("author", "rendition"),
        **upload_limits(),
    }
    return render(request, "studio/edit.html", context, status=400 if form.errors else 200)


@marketing_only
@require_POST
def new_version(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            data = form.cleaned_data
            version = services.asset_version_add(
                asset=asset, file=data["file"], note=data["note"], author=request.user
            )
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            messages.success(request, f"Version {version.number} uploaded; its pages are being prepared.")
    else:
        form_errors(request, form)
    return redirect("studio-edit", slug=asset.slug)


@marketing_only
@require_POST
def status_set(request: HttpRequest, slug: str, status: str) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.select_related("current_version"), slug=slug)
    try:
        services.asset_status_set(asset=asset, status=status, by=request.user)
    except ValidationError as exc:
        messages_from(request, exc)
    else:
        messages.success(request, f"“{asset.title}” is {asset.get_status_display().lower()}.")
    if request.POST.get("next") == "list":
        return redirect("studio")
    return redirect("studio-edit", slug=asset.slug)


@marketing_only
def state(request: HttpRequest, slug: str) -> HttpResponse:
    """The processing state of one asset, polled by the list and the edit page while it changes."""
    asset = get_object_or_404(Asset.objects.select_related("current_version__rendition"), slug=slug)
    return render(request, "studio/_state.html", {"asset": asset})
