"""The asset admin's Owner picker. Django's autocomplete asks for the right to view people (the user
admin), which Marketing does not have and should not need to pick a colleague: it answered 403 and the
picker said "The results could not be loaded". This one answers those who may change assets, with the
people who can own one (active staff: marketing and admins)."""

from __future__ import annotations

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse

SEARCHED = ("username", "first_name", "last_name", "email")


def possible_owners() -> QuerySet:
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")


class OwnerAutocompleteView(AutocompleteJsonView):
    asset_admin = None  # the AssetAdmin whose URLs serve this view (its paginator is used)

    def process_request(self, request):
        field = self.asset_admin.model._meta.get_field("owner")
        return request.GET.get("term", ""), self.asset_admin, field, "pk"

    def has_perm(self, request, obj=None) -> bool:
        return request.user.has_perm("assets.change_asset") or request.user.has_perm("assets.add_asset")

    def get_queryset(self) -> QuerySet:
        people = possible_owners()
        for word in self.term.split()[:5]:
            people = people.filter(Q(*[Q(**{f"{f}__icontains": word}) for f in SEARCHED], _connector=Q.OR))
        return people


class OwnerSelect(AutocompleteSelect):
    def get_url(self) -> str:
        return reverse("admin:assets_asset_owner_autocomplete")
