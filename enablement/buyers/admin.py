"""Admin for the buyer side: profile versions (approved or rejected through the services, never edited
once decided), qualification ratings, and the map from CRM contact-role names to buyer roles."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from config.admin_inlines import ReadOnlyInline
from enablement.buyers import services
from enablement.buyers.models import BuyerProfile, DealRole, ProfileRole, Qualification, RoleMap


class DealRoleInline(ReadOnlyInline):
    """The buying committee as imported or added by reps; changed in the CRM or the portal, not here.
    Shown on a deal's admin page (enablement/admin.py puts it there)."""

    model = DealRole
    fields = ["role", "contact", "is_primary", "source", "external_id", "added_by", "created_at"]
    readonly_fields = fields
    ordering = ["role__name", "contact"]


class ProfileRoleInline(ReadOnlyInline):
    model = ProfileRole
    fields = ["stage", "role"]
    readonly_fields = fields


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    """Versions are read here and decided by the actions; proposals are made on the profile page, which
    numbers and checks them. Nothing is edited in place: the history must say what was approved."""

    list_display = ["version", "status", "proposed_by", "proposed_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    inlines = [ProfileRoleInline]
    actions = ["approve", "reject"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if not request.user.has_perm("enablement.approve_buyerprofile"):
            actions.pop("approve", None)
            actions.pop("reject", None)
        return actions

    def _decide(self, request: HttpRequest, queryset: QuerySet, decide, done: str) -> None:
        for profile in queryset.order_by("version"):
            try:
                decide(profile=profile, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"Version {profile.version} {done}.")

    @admin.action(description="Approve the selected proposal")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Approve one version at a time.", messages.ERROR)
            return
        self._decide(request, queryset, services.profile_approve, "approved")

    @admin.action(description="Reject the selected proposals")
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, services.profile_reject, "rejected")


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["deal", "alignment", "appropriateness", "authority", "action", "crm_score", "updated_at"]
    search_fields = ["deal__name", "deal__external_id"]
    raw_id_fields = ["deal"]
    readonly_fields = ["updated_by", "updated_at"]


@admin.register(RoleMap)
class RoleMapAdmin(admin.ModelAdmin):
    """Which buyer role each CRM's role name means; imports stop on a name mapped nowhere."""

    list_display = ["crm_role", "source", "role"]
    list_editable = ["role"]
    list_filter = ["source", "role"]
    search_fields = ["crm_role"]
