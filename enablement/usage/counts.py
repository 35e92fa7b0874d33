"""Each asset's stored count of uses (search's "most used"): added to by the usage write path, set
from the events where they arrive or go by other ways."""

from __future__ import annotations

from collections import Counter

from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from assets.models import Asset
from enablement.usage.models import UsageEvent


def use_counts_add(added: Counter) -> None:
    """Add the events just recorded to their assets' stored counts, in one UPDATE."""
    if not added:
        return
    by = Case(*(When(pk=pk, then=Value(n)) for pk, n in added.items()), output_field=IntegerField())
    Asset.objects.filter(pk__in=sorted(added)).update(use_count=F("use_count") + by)


def usage_counts_refresh(*, asset_ids: set[int] | None = None) -> None:
    """Recount the stored uses of these assets (every asset without `asset_ids`) from their events.

    The write path above adds to the counts; this sets them from scratch where events arrive or go by
    other ways (importers, the demo's bulk insert, a deleted deal's events), and every full analytics run
    calls it so a count never drifts for long.
    """
    counted = (
        UsageEvent.objects.filter(asset=OuterRef("pk"))
        .order_by()
        .values("asset")
        .annotate(n=Count("pk"))
        .values("n")
    )
    uses = Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    assets = Asset.objects.all() if asset_ids is None else Asset.objects.filter(pk__in=asset_ids)
    # Only the rows whose count changed are written, so a run over an unchanged catalogue writes none.
    assets.exclude(use_count=uses).update(use_count=uses)
