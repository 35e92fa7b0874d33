"""Admin for share links (withdrawn here, never deleted) and the views they recorded."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest

from config.admin_inlines import ReadOnlyInline
from enablement.sharing import services as sharing_services
from enablement.sharing.models import ShareLink, ShareView


class ShareViewInline(ReadOnlyInline):
    model = ShareView
    fields = ["viewed_at", "viewer_hash"]
    readonly_fields = fields


class ShareLinkForm(forms.ModelForm):
    def clean(self) -> dict:
        # The sharing rules, asked here so a refusal shows on the form instead of failing the save.
        data = super().clean()
        asset, deal = data.get("asset"), data.get("deal")
        if self.instance.pk is None and asset is not None and deal is not None:
            problem = sharing_services.share_link_refusal(asset=asset, deal=deal)
            if problem:
                self.add_error(None, problem)
        if self.instance.pk is None and "expires_at" in data:
            days = sharing_services.share_days_until(data["expires_at"])
            if problem := sharing_services.share_days_refusal(days):
                self.add_error("expires_at", problem)
        return data


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    form = ShareLinkForm
    list_display = [
        "asset",
        "deal",
        "created_by",
        "created_at",
        "expires_at",
        "allow_download",
        "active",
        "view_count",
    ]
    list_filter = ["allow_download", ("created_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["asset", "deal", "created_by"]
    search_fields = ["asset__title", "deal__name", "created_by__username"]
    autocomplete_fields = ["asset", "deal"]
    fields = ["asset", "deal", "allow_download", "expires_at", "created_by", "created_at", "revoked_at"]
    readonly_fields = ["created_by", "created_at", "revoked_at"]
    inlines = [ShareViewInline]
    actions = ["revoke"]

    @admin.display(boolean=True, description="active")
    def active(self, obj: ShareLink) -> bool:
        return obj.is_active()

    def get_queryset(self, request: HttpRequest):
        # Counted in the list's own query: one COUNT per row made the page grow with its links.
        return super().get_queryset(request).annotate(view_total=Count("views"))

    @admin.display(description="views", ordering="view_total")
    def view_count(self, obj: ShareLink) -> int:
        return obj.view_total

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [*self.readonly_fields, "asset", "deal"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            link = sharing_services.share_link_create(
                asset=obj.asset,
                deal=obj.deal,
                by=request.user,
                days=sharing_services.share_days_until(obj.expires_at),
                allow_download=obj.allow_download,
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        obj.pk, obj.token = link.pk, link.token
        return None

    @admin.action(description="Withdraw the selected links", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        for link in queryset:
            sharing_services.share_link_revoke(link=link, by=request.user)
        self.message_user(request, f"{queryset.count()} link(s) withdrawn.", messages.SUCCESS)
