"""Admin for CRM imports: an upload queues the import task; the page follows its progress, ends a run
whose worker stopped, and offers *Run again* for a failed one."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from config.outbox.selectors import task_pending
from enablement.choices import ImportStatus
from enablement.importers.forms import ImportRunForm
from enablement.importers.models import ImportRun
from enablement.importers.queue import import_run_again, import_run_queue
from enablement.importers.runs import import_run_progress, import_runs_sweep
from enablement.importers.tasks import import_run


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Upload CRM files; a Celery task imports them while this page shows progress and the result."""

    list_display = ["__str__", "format", "status", "created_by", "created_at", "finished_at", "dry_run"]
    list_filter = ["format", "status"]
    change_form_template = "admin/enablement/importrun/change_form.html"
    form = ImportRunForm  # the upload allow-list and size cap, shown on the field
    add_fields = ["format", "file", "stage_map_file", "role_map_file", "dry_run", "skip_invalid"]

    class Media:
        css = {"all": ["css/admin.css"]}  # the result's layout (the CSP refuses a <style> block)

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return self.add_fields
        return [
            *self.add_fields,
            "status",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "retry_of",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.get_fields(request, obj) if obj else []

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def get_urls(self):
        again = self.admin_site.admin_view(require_POST(self.run_again_view))
        return [
            path("<int:pk>/run-again/", again, name="enablement_importrun_run_again"),
            *super().get_urls(),
        ]

    def run_again_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(ImportRun, pk=pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            again = import_run_again(run=run, by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return redirect("admin:enablement_importrun_change", run.pk)
        self.message_user(request, f"{again} runs the files of {run} again.", messages.SUCCESS)
        return redirect("admin:enablement_importrun_change", again.pk)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        import_runs_sweep()  # with no broker there is no beat: a run whose worker died ends here
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        import_runs_sweep()
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        import_run_queue(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["import_run"] = obj
            context["progress"] = import_run_progress(obj)
            context["running"] = obj.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
            if obj.status == ImportStatus.FAILED and self.has_add_permission(request):
                context["run_again_url"] = reverse("admin:enablement_importrun_run_again", args=[obj.pk])
            if obj.status == ImportStatus.QUEUED:
                context["waiting_for_worker"] = task_pending(import_run, obj.pk)
        return super().render_change_form(request, context, add, change, form_url, obj)
