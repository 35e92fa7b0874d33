from __future__ import annotations

from django.db import models


class PendingTask(models.Model):
    """A Celery task that could not be published (broker down); sent again until it is, then deleted."""

    task = models.CharField(max_length=200, help_text="The task's registered name.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    countdown = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds to wait once sent.")
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=1, help_text="Times publishing it has failed.")
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["task"], name="pendingtask_task")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"
