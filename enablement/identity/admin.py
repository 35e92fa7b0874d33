"""Admin for SCIM tokens (the token is shown once) and the identity provider's ids of provisioned users."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.http import HttpRequest

from enablement.identity.models import ScimToken, ScimUser
from enablement.identity.tokens import scim_token_create, scim_token_revoke

# allauth's address book is not used: people's addresses come from the identity provider or SCIM.
admin.site.unregister(EmailAddress)


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [*self.readonly_fields, "name"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, key = scim_token_create(name=obj.name, by=request.user)
        obj.pk = token.pk
        self.message_user(
            request,
            f"SCIM token for “{token.name}” (copy it into the identity provider now, it is not shown "
            f"again): {key}",
            messages.WARNING,
        )
        return None

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        for token in queryset:
            scim_token_revoke(token=token, by=request.user)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


@admin.register(ScimUser)
class ScimUserAdmin(admin.ModelAdmin):
    list_display = ["user", "external_id", "provisioned_at"]
    search_fields = ["user__username", "external_id"]
    readonly_fields = ["user", "external_id", "provisioned_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
