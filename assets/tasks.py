"""The catalogue's worker tasks (Celery finds an app's `tasks` module); the text extraction's task lives
with its work in version_text.py and is registered here."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from assets import reviews
from assets.version_text import extract_version_text

__all__ = ["extract_version_text", "remind_review_due"]


@shared_task
def remind_review_due() -> int:
    """Daily: tell owners which of their published assets are past their review-by date."""
    return reviews.review_reminders_send(today=timezone.localdate())
