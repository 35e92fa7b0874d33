"""Admin for CRM imports: an upload queues the import task; the page follows its progress."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from config.outbox.selectors import task_pending
from config.outbox.services import enqueue
from enablement.choices import ImportStatus
from enablement.importers.forms import ImportRunForm
from enablement.importers.models import ImportRun
from enablement.importers.runs import import_run_progress


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
