"""Reads for the content studio."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from assets.models import Asset

USE_WINDOW_DAYS = 90


def studio_assets(*, q: str = "", status: str = "") -> QuerySet[Asset]:
    """Every asset with what marketing manages it by: review dates overdue first (oldest first), then
    the rest by review date, each with its uses in the last 90 days (counted in the same query)."""
    today = timezone.localdate()
    since = timezone.now() - timedelta(days=USE_WINDOW_DAYS)
    assets = Asset.objects.select_related("owner", "current_version__rendition")
    if status:
        assets = assets.filter(status=status)
    for word in q.split()[:8]:
        assets = assets.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return assets.annotate(
        uses_90=Count("usage_events", filter=Q(usage_events__occurred_at__gte=since)),
        overdue=Case(When(review_by__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("overdue", F("review_by").asc(nulls_last=True), "title")
