"""Admin for the catalogue. Writes that carry rules (versions, status) go through assets.services."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminMixin
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from taggit.models import Tag

from assets import services
from assets.admin_owner import OwnerAutocompleteView, OwnerSelect, possible_owners
from assets.choices import AssetStatus
from assets.forms import AssetVersionForm
from assets.models import (
    Asset,
    AssetDownload,
    AssetFeedback,
    AssetVersion,
    BuyerRole,
    ContentRequest,
    FunnelStage,
    Industry,
    Product,
    SearchLog,
)
from assets.renditions.queue import renditions_queue
from assets.search import asset_search_refresh
from assets.version_text import extract_version_text
from config.outbox.selectors import task_pending

admin.site.unregister(Tag)  # the catalogue tags industries and products with its own tag models


@admin.register(FunnelStage)
class FunnelStageAdmin(SortableAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "outcome", "landmark_days", "short_definition"]
    list_filter = ["outcome"]
    search_fields = ["name", "slug", "definition"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="definition")
    def short_definition(self, obj: FunnelStage) -> str:
        return (obj.definition[:90] + "…") if len(obj.definition) > 90 else obj.definition


@admin.register(BuyerRole)
class BuyerRoleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Industry, Product)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class AssetVersionInline(admin.TabularInline):
    """Existing versions are shown read-only (every upload is kept); a new row uploads the next one."""

    model = AssetVersion
    fields = ["number", "file", "note", "author", "created_at", "search_text"]
    readonly_fields = ["number", "author", "created_at", "search_text"]
    extra = 1
    can_delete = False
    ordering = ["-number"]
    form = AssetVersionForm  # the upload allow-list and size cap, shown on the field

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="text for search")
    def search_text(self, version: AssetVersion) -> str:
        if version.pk is None:
            return ""
        if version.text:
            return f"{len(version.text):,} characters read"
        if task_pending(extract_version_text, version.pk):
            # The task queue was down when it was uploaded; it is sent again every minute.
            return "Text extraction: waiting for the worker"
        return "no text (yet)"


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status_badge", "owner", "version_number", "review_due", "updated_at"]
    list_filter = [
        "status",
        "kind",
        "audience",
        "buyer_roles",
        "stages",
        ("owner", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["owner", "current_version"]
    search_fields = ["title", "slug", "summary", "guidance", "industries__name", "products__name"]
    autocomplete_fields = ["buyer_roles", "stages"]  # the owner's picker: assets/admin_owner.py
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["published_at", "current_version", "created_at", "updated_at"]
    date_hierarchy = "updated_at"
    actions = ["publish", "archive", "render_again"]
    inlines = [AssetVersionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "audience", "owner"]}),
        ("For reps", {"fields": ["summary", "guidance"]}),
        ("Content", {"fields": ["external_url", "current_version"]}),
        ("Targeting", {"fields": ["buyer_roles", "stages", "industries", "products"]}),
        ("Dates", {"fields": ["review_by", "published_at", "created_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["css/admin.css"]}  # the status colours: classes, as the CSP refuses style="…"

    def get_urls(self):
        from django.urls import path

        view = OwnerAutocompleteView.as_view(admin_site=self.admin_site, asset_admin=self)
        name = "assets_asset_owner_autocomplete"
        return [path("owner-autocomplete/", self.admin_site.admin_view(view), name=name), *super().get_urls()]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["widget"] = OwnerSelect(db_field, self.admin_site)
            kwargs["queryset"] = possible_owners()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: Asset) -> str:
        return format_html(
            '<span class="asset-status asset-status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description="version", ordering="current_version__number")
    def version_number(self, obj: Asset) -> str:
        return f"v{obj.current_version.number}" if obj.current_version else "—"

    @admin.display(description="review by", ordering="review_by")
    def review_due(self, obj: Asset) -> str:
        if not obj.review_by:
            return "—"
        if obj.review_by < timezone.localdate():
            return format_html('<span class="review-overdue">{} (overdue)</span>', obj.review_by)
        return str(obj.review_by)

    def save_model(self, request, obj, form, change):
        # The status the form asks for is applied in save_related, after the versions are stored.
        edited = [name for name in form.changed_data if name != "status" and name in form.initial]
        changes = {name: (form.initial[name], form.cleaned_data.get(name)) for name in edited}
        services.asset_save(asset=obj, changes=changes if change else {}, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not AssetVersion:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for version_form in formset.forms:
            data = getattr(version_form, "cleaned_data", None) or {}
            if not version_form.instance.pk and data.get("file"):
                formset.new_objects.append(
                    services.asset_version_add(
                        asset=form.instance, file=data["file"], note=data.get("note", ""), author=request.user
                    )
                )
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        asset = form.instance
        asset_search_refresh(asset)
        wanted = form.cleaned_data.get("status", asset.status)
        if wanted == asset.status:
            return
        try:
            services.asset_status_set(asset=asset, status=wanted, by=request.user)
        except ValidationError as exc:
            self.message_user(
                request, f"Saved, but still {asset.get_status_display()}: {exc.messages[0]}", messages.WARNING
            )

    @admin.action(description="Publish the selected assets", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Asset]) -> None:
        self._bulk(request, queryset, AssetStatus.PUBLISHED, "published")

    @admin.action(description="Archive the selected assets", permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Asset]) -> None:
        self._bulk(request, queryset, AssetStatus.ARCHIVED, "archived")

    @admin.action(description="Render the selected assets' pages again", permissions=["change"])
    def render_again(self, request: HttpRequest, queryset: QuerySet[Asset]) -> None:
        versions = AssetVersion.objects.filter(pk__in=queryset.values("current_version"))
        count = renditions_queue(versions=versions)
        self.message_user(request, f"{count} version(s) queued for rendering.", messages.SUCCESS)

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Asset], status: str, verb: str) -> None:
        done, refused = 0, []
        for asset in queryset.select_related("current_version"):
            try:
                services.asset_status_set(asset=asset, status=status, by=request.user)
                done += 1
            except ValidationError as exc:
                refused.append(exc.messages[0])
        if done:
            self.message_user(request, f"{done} asset(s) {verb}.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)


@admin.register(ContentRequest)
class ContentRequestAdmin(admin.ModelAdmin):
    """Marketing's queue of material reps asked for, most wanted first."""

    list_display = ["title", "buyer_role", "stage", "status", "vote_count", "requested_by", "created_at"]
    list_editable = ["status"]
    list_filter = ["status", "buyer_role", "stage"]
    search_fields = ["title", "details"]
    readonly_fields = ["requested_by", "created_at"]
    exclude = ["voters"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContentRequest]:
        return (
            super()
            .get_queryset(request)
            .select_related("buyer_role", "stage", "requested_by")
            .annotate(votes=Count("voters"))
        )

    @admin.display(description="votes", ordering="-votes")
    def vote_count(self, obj: ContentRequest) -> int:
        return obj.votes

    def save_model(self, request, obj, form, change):
        if not change:
            obj.requested_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: looked at and searched, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class FoundFilter(admin.SimpleListFilter):
    title = "found anything"
    parameter_name = "found"

    def lookups(self, request, model_admin):
        return [("no", "No results"), ("yes", "Some results")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(result_count=0)
        if self.value() == "yes":
            return queryset.filter(result_count__gt=0)
        return queryset


@admin.register(SearchLog)
class SearchLogAdmin(ReadOnlyAdmin):
    list_display = ["query", "result_count", "user", "created_at"]
    list_filter = [FoundFilter]
    search_fields = ["query"]
    date_hierarchy = "created_at"


@admin.register(AssetFeedback)
class AssetFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["asset", "useful", "user", "comment", "updated_at"]
    list_filter = ["useful"]
    search_fields = ["asset__title", "comment"]


@admin.register(AssetDownload)
class AssetDownloadAdmin(ReadOnlyAdmin):
    list_display = ["asset", "version", "user", "downloaded_at"]
    search_fields = ["asset__title", "user__username"]
    date_hierarchy = "downloaded_at"
