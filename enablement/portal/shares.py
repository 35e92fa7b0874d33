"""*Sent to buyers* (`/shares/`): every share link and deal room of the person's deals, with what the
buyer did and *Withdraw* while it is live."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from enablement.deals.selectors import deals_visible_to
from enablement.portal.listing import ListFilterForm, list_context
from enablement.portal.sent import KINDS, STATUSES, sent_items, sent_to_buyers
from enablement.sharing.models import ShareLink
from enablement.sharing.services import share_link_revoke

SENT_PER_PAGE = 20


class SentFilterForm(ListFilterForm):
    q = forms.CharField(label="Asset, room or deal", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *STATUSES.items()]
    )
    kind = forms.ChoiceField(
        label="Links or rooms", required=False, choices=[("", "Links and rooms"), *KINDS.items()]
    )


@login_required
def shares_page(request: HttpRequest) -> HttpResponse:
    def rows_for(filters: dict):
        return sent_to_buyers(request.user, **{name: value or "" for name, value in filters.items()})

    context = list_context(request, SentFilterForm(request.GET), rows_for, SENT_PER_PAGE)
    context["items"] = sent_items(list(context["page"].object_list))
    context["all_deals"] = request.user.has_perm("enablement.view_all_deals")
    return render(request, "enablement/sent.html", context)


@login_required
@require_POST
def share_link_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    # A link of another rep's deal is a 404, as the deal itself is.
    link = get_object_or_404(
        ShareLink.objects.select_related("asset", "deal"), pk=pk, deal__in=deals_visible_to(request.user)
    )
    share_link_revoke(link=link, by=request.user)
    messages.success(
        request, f"The link to “{link.asset.title}” for {link.deal.name} is withdrawn; it no longer opens."
    )
    return redirect("share-list")
