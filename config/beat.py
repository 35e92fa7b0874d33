"""The periodic tasks Celery beat sends (CELERY_BEAT_SCHEDULE, read by config/settings.py): plain values,
kept apart so the settings module stays short. docs/operations.md, "Periodic tasks", describes each."""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "remind-owners-of-assets-due-for-review": {
        "task": "assets.tasks.remind_review_due",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
    },
    "recount-stored-uses-nightly": {
        "task": "enablement.tasks.usage_counts_recount",
        "schedule": crontab(hour=2, minute=0),
    },
    "recompute-analytics-nightly": {
        "task": "enablement.tasks.analytics_recompute",
        "schedule": crontab(hour=2, minute=30),
    },
    "refresh-analytics-with-api-batches": {
        "task": "enablement.tasks.analytics_refresh_after_import",
        "schedule": crontab(minute="*/10"),
    },
    "send-weekly-analytics-digest": {
        "task": "enablement.tasks.analytics_digest",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    "close-idle-buyer-visits": {
        "task": "enablement.rooms.tasks.visits_close_idle",
        "schedule": crontab(minute="*/5"),
    },
    "purge-old-buyer-visits": {
        "task": "enablement.rooms.tasks.visits_purge",
        "schedule": crontab(hour=3, minute=15),
    },
    "end-imports-whose-worker-stopped": {
        "task": "enablement.tasks.import_runs_sweep",
        "schedule": 60.0,
    },
    "end-renditions-whose-worker-stopped": {
        "task": "assets.renditions.tasks.renditions_sweep",
        "schedule": 60.0,
    },
    "forget-old-login-records": {
        "task": "enablement.tasks.login_records_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    "resend-tasks-waiting-for-the-worker": {
        "task": "config.outbox.tasks.pending_tasks_send",
        "schedule": 60.0,
    },
    "delete-audit-entries-past-retention": {
        "task": "config.audit.tasks.audit_purge",
        "schedule": crontab(hour=3, minute=45),
    },
    "send-webhook-deliveries-due": {
        "task": "config.webhooks.tasks.deliveries_due_send",
        "schedule": 60.0,
    },
}
