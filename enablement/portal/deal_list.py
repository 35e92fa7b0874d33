"""*My deals* (`/deals/`): every deal the person may see, open ones first, filtered and paged.

A rep sees their own deals; marketing and admins see every deal and may pick one rep's."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assets.choices import Role
from assets.models import FunnelStage
from enablement.deals.selectors import DEAL_STATUSES, deal_list
from enablement.portal.listing import ListFilterForm, list_context

DEALS_PER_PAGE = 20


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class DealFilterForm(ListFilterForm):
    q = forms.CharField(label="Deal or account", required=False, max_length=200)
    stage = forms.ModelChoiceField(
        FunnelStage.objects.all(),
        label="Stage",
        required=False,
        to_field_name="slug",
        empty_label="Any stage",
    )
    status = forms.ChoiceField(
        label="Open, won or lost",
        required=False,
        choices=[("", "Open, won and lost"), *DEAL_STATUSES.items()],
    )
    rep = RepChoiceField(
        queryset=None, label="Rep", required=False, to_field_name="username", empty_label="Every rep"
    )

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if user.has_perm("enablement.view_all_deals"):
            people = get_user_model().objects.filter(Q(groups__name=Role.REPS) | Q(deals__isnull=False))
            self.fields["rep"].queryset = people.distinct().order_by("first_name", "last_name", "username")
        else:  # a rep's list holds their own deals only: no one else to pick
            del self.fields["rep"]


def _deals(user: AbstractBaseUser, filters: dict):
    return deal_list(
        user,
        q=filters.get("q") or "",
        stage=filters.get("stage"),
        status=filters.get("status") or "",
        owner=filters.get("rep"),
    )


@login_required
def deals_page(request: HttpRequest) -> HttpResponse:
    form = DealFilterForm(request.GET, user=request.user)
    context = list_context(request, form, lambda filters: _deals(request.user, filters), DEALS_PER_PAGE)
    context["all_deals"] = "rep" in form.fields
    return render(request, "enablement/deal_list.html", context)
