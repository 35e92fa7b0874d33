"""The rep's room forms on the deal and asset pages (the buyer's side is in buyer.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from assets.selectors import assets_visible_to
from enablement.deals.selectors import deals_visible_to
from enablement.form_messages import form_errors, messages_from
from enablement.rooms import services
from enablement.rooms.forms import RoomForm, RoomItemForm
from enablement.rooms.selectors import rooms_visible_to


@login_required
@require_POST
def room_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(deals_visible_to(request.user), pk=pk)
    form = RoomForm(request.POST)
    if form.is_valid():
        try:
            room = services.room_create(deal=deal, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            messages.success(request, f"Deal room “{room.title}” is ready: add assets, then copy its link.")
    else:
        form_errors(request, form)
    return redirect("deal-detail", pk=deal.pk)


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return HttpResponseRedirect(target)


@login_required
@require_POST
def room_item_add(request: HttpRequest) -> HttpResponse:
    form = RoomItemForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(request, reverse("home"))
    room = get_object_or_404(rooms_visible_to(request.user), pk=form.cleaned_data["room"])
    asset = get_object_or_404(assets_visible_to(request.user), pk=form.cleaned_data["asset"])
    try:
        services.room_item_add(room=room, asset=asset, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages_from(request, exc)
    else:
        messages.success(request, f"Added “{asset.title}” to deal room “{room.title}”.")
    return _back(request, reverse("deal-detail", args=[room.deal_id]))


@login_required
@require_POST
def room_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    room = get_object_or_404(rooms_visible_to(request.user), pk=pk)
    services.room_revoke(room=room, by=request.user)
    messages.success(request, f"Deal room “{room.title}” is withdrawn; its link no longer opens.")
    return _back(request, reverse("deal-detail", args=[room.deal_id]))


@login_required
@require_POST
def alert_emails(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("email_summaries") == "on"
    services.alert_setting_set(user=request.user, email_summaries=on)
    messages.success(
        request, "Visit summaries will be emailed to you." if on else "Visit summary emails are off."
    )
    return redirect("home")
