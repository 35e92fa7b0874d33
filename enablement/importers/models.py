"""An upload of CRM files through the admin."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from enablement.choices import ImportFormat, ImportStatus


def import_upload_to(run: ImportRun, filename: str) -> str:
    # A folder per upload keeps the file's own name, which is how importers recognise files.
    return f"imports/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/{filename}"


class ImportRun(models.Model):
    """An upload of CRM files through the admin, imported by a Celery task."""

    format = models.CharField(max_length=12, choices=ImportFormat.choices)
    file = models.FileField(upload_to=import_upload_to, max_length=300)
    stage_map_file = models.FileField(
        upload_to=import_upload_to,
        max_length=300,
        blank=True,
        help_text="Optional CSV with columns crm_stage,stage_slug.",
    )
    role_map_file = models.FileField(
        upload_to=import_upload_to,
        max_length=300,
        blank=True,
        help_text="Optional CSV with columns crm_role,role_slug.",
    )
    dry_run = models.BooleanField(default=False, help_text="Check everything, write nothing.")
    skip_invalid = models.BooleanField(default=False, help_text="Write the good rows, report the bad ones.")
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.TextField(blank=True)
    # Who runs it ("host:pid:process start") and when that worker last said it was alive: a run whose
    # worker died is found by `enablement.importers.liveness` and ends failed instead of running for ever.
    worker = models.CharField(max_length=300, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries", editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="importrun_status")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} import #{self.pk}"
