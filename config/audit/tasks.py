from __future__ import annotations

from celery import shared_task

from config.audit import services


@shared_task
def audit_purge() -> int:
    """Daily (beat): delete audit entries past AUDIT_RETENTION_DAYS."""
    return services.audit_purge()
