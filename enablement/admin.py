"""Admin for deals, accounts, usage, share links, stage mappings and CRM imports."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from config.outbox.selectors import task_pending
from config.outbox.services import enqueue
from enablement import services
from enablement.api.tokens import api_token_create, api_token_revoke
from enablement.choices import ImportStatus, UsageSource
from enablement.forms import ImportRunForm
from enablement.importers.runs import import_run_progress
from enablement.models import (
    Account,
    ApiToken,
    Deal,
    ImportRun,
    ShareLink,
    ShareView,
    StageChange,
    StageMap,
    UsageEvent,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class StageChangeInline(ReadOnlyInline):
    """The history is shown, never edited: it only grows, through imports, the API or services."""

    model = StageChange
    fields = ["stage", "entered_at", "external_id", "recorded_at"]
    readonly_fields = fields
    ordering = ["entered_at", "pk"]


class UsageInline(ReadOnlyInline):
    model = UsageEvent
    fields = ["occurred_at", "asset", "action", "stage", "rep", "source"]
    readonly_fields = fields
    ordering = ["-occurred_at"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "size", "region", "source"]
    list_filter = ["source", "industry", "region"]
    search_fields = ["name", "external_id", "industry"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "account",
        "owner",
        "amount",
        "currency",
        "current_stage",
        "created_at",
        "closed_at",
        "source",
    ]
    list_filter = ["source", "current_stage", ("owner", admin.RelatedOnlyFieldListFilter), "currency"]
    list_select_related = ["account", "owner", "current_stage"]
    search_fields = ["name", "external_id", "account__name"]
    autocomplete_fields = ["account", "owner"]
    readonly_fields = ["current_stage", "closed_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [StageChangeInline, UsageInline]
    fields = [
        "source",
        "external_id",
        "name",
        "account",
        "owner",
        "amount",
        "currency",
        "created_at",
        "current_stage",
        "closed_at",
        "updated_at",
    ]


class UsageEventForm(forms.ModelForm):
    def clean(self) -> dict:
        # The service's rule, asked here so a refusal shows on the form instead of failing the save.
        data = super().clean()
        deal, occurred_at = data.get("deal"), data.get("occurred_at")
        if deal is not None and occurred_at is not None:
            problem = services.usage_after_close(
                deal_label=deal.external_id, closed_at=deal.closed_at, occurred_at=occurred_at
            )
            if problem:
                self.add_error("occurred_at", problem)
        return data


@admin.register(UsageEvent)
class UsageEventAdmin(admin.ModelAdmin):
    form = UsageEventForm
    list_display = ["occurred_at", "asset", "deal", "rep", "action", "stage", "source"]
    list_filter = ["action", "source", "stage", "asset__kind"]
    list_select_related = ["asset", "deal", "rep", "stage"]
    search_fields = ["event_id", "asset__title", "deal__name", "rep__username"]
    autocomplete_fields = ["asset", "deal", "rep"]
    date_hierarchy = "occurred_at"
    fields = ["event_id", "asset", "deal", "rep", "action", "occurred_at", "stage", "source", "asset_version"]
    readonly_fields = ["stage", "source", "asset_version"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # A recorded event is a fact: once saved it is shown, not edited.
        return self.fields if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        event, _ = services.usage_record(
            event_id=obj.event_id,
            asset=obj.asset,
            deal=obj.deal,
            rep=obj.rep,
            action=obj.action,
            occurred_at=obj.occurred_at,
            source=UsageSource.PORTAL,
        )
        obj.pk = event.pk


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
            problem = services.share_link_refusal(asset=asset, deal=deal)
            if problem:
                self.add_error(None, problem)
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

    @admin.display(description="views")
    def view_count(self, obj: ShareLink) -> int:
        return obj.views.count()

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [*self.readonly_fields, "asset", "deal"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        days = max(1, (obj.expires_at - timezone.now()).days) if obj.expires_at else 30
        try:
            link = services.share_link_create(
                asset=obj.asset,
                deal=obj.deal,
                by=request.user,
                days=min(days, 365),
                allow_download=obj.allow_download,
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        obj.pk, obj.token = link.pk, link.token
        return None

    @admin.action(description="Withdraw the selected links", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        for link in queryset:
            services.share_link_revoke(link=link, by=request.user)
        self.message_user(request, f"{queryset.count()} link(s) withdrawn.", messages.SUCCESS)


@admin.register(StageMap)
class StageMapAdmin(admin.ModelAdmin):
    list_display = ["crm_stage", "source", "stage"]
    list_editable = ["stage"]
    list_filter = ["source", "stage"]
    search_fields = ["crm_stage"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Upload CRM files; a Celery task imports them while this page shows progress and the result."""

    list_display = ["__str__", "format", "status", "created_by", "created_at", "finished_at", "dry_run"]
    list_filter = ["format", "status"]
    change_form_template = "admin/enablement/importrun/change_form.html"
    form = ImportRunForm  # the upload allow-list and size cap, shown on the field
    add_fields = ["format", "file", "stage_map_file", "dry_run", "skip_invalid"]

    class Media:
        css = {"all": ["css/admin.css"]}  # the result's layout (the CSP refuses a <style> block)

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return self.add_fields
        return [*self.add_fields, "status", "created_by", "created_at", "started_at", "finished_at"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.get_fields(request, obj) if obj else []

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        from enablement.tasks import import_run

        enqueue(import_run, obj.pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["import_run"] = obj
            context["progress"] = import_run_progress(obj)
            context["running"] = obj.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
            if obj.status == ImportStatus.QUEUED:
                from enablement.tasks import import_run

                context["waiting_for_worker"] = task_pending(import_run, obj.pk)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """One token per integration; its key is shown once, when it is made."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    fields = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [*self.readonly_fields, "name", "user"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, key = api_token_create(name=obj.name, user=obj.user)
        obj.pk = token.pk
        self.message_user(
            request, f"Key for “{token.name}” (copy it now, it is not shown again): {key}", messages.WARNING
        )
        return None

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


# Analytics runs (with each step's time) live beside the engine.
from enablement.analytics import admin as analytics_admin  # noqa: E402, F401
