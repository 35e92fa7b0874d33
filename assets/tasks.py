from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from assets import reviews, services


@shared_task
def remind_review_due() -> int:
    """Daily: tell owners which of their published assets are past their review-by date."""
    return reviews.review_reminders_send(today=timezone.localdate())


@shared_task
def extract_version_text(version_id: int) -> int:
    """Read the text of an uploaded file for search; returns how many characters were found."""
    return len(services.asset_version_text_extract(version_id=version_id).text)
