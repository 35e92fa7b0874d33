from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assets.selectors import assets_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assets = (
        assets_visible_to(request.user)
        .select_related("current_version")
        .prefetch_related("buyer_roles", "stages")
        .order_by("-published_at", "title")[:24]
    )
    return render(request, "assets/home.html", {"assets": assets})
