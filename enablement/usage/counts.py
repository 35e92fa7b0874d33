"""Stored counts of uses: each asset's (search's "most used") and each asset's at each stage (the
suggestions' peer use, AssetStageUses). The usage write path adds to them; they are set from the
events where events arrive or go by other ways."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from assets.models import Asset
from enablement.usage.models import AssetStageUses, UsageEvent

STAGE_USES = AssetStageUses._meta.db_table
ASSETS = Asset._meta.db_table


def use_counts_add(added: Counter) -> None:
    """Add the events just recorded to their assets' stored counts, in one UPDATE."""
    if not added:
        return
    pairs = sorted(added.items())
    with connection.cursor() as cursor:
        # Written as SQL, not Case/When: a CASE with a branch per asset, built and compiled by the ORM,
        # cost a big batch more than its UPDATE.
        cursor.execute(
            f"WITH v (id, n) AS (VALUES {', '.join(['(%s, %s)'] * len(pairs))}) "
            f"UPDATE {ASSETS} SET use_count = {ASSETS}.use_count + v.n FROM v WHERE {ASSETS}.id = v.id",
            [value for pair in pairs for value in pair],
        )


def new_uses_count(added: Counter) -> None:
    """Add new uses counted by (asset_id, stage_id) (stage None: the deal had no stage then) to both
    stored counts: what a writer that knows its events' assets and stages adds without reading them
    back."""
    by_asset: Counter = Counter()
    for (asset_id, _), n in added.items():
        by_asset[asset_id] += n
    use_counts_add(by_asset)
    stage_uses_count(Counter({pair: n for pair, n in added.items() if pair[1] is not None}))


def usage_counts_refresh(*, asset_ids: set[int] | None = None) -> None:
    """Recount the stored uses of these assets (every asset without `asset_ids`) from their events,
    in all and at each stage.

    The write paths add to the counts (new_uses_count, use_counts_add, stage_uses_add); this sets them
    from scratch where events go by other ways (deleted events), and a nightly task
    (usage_counts_recount) sets every count so none drifts for long.
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
    stage_uses_refresh(asset_ids=asset_ids)


def _by_asset_and_stage(events: QuerySet[UsageEvent]) -> tuple[str, tuple] | None:
    """SELECT asset_id, stage_id, n: the events counted per (asset, stage), those with a stage; None
    when `events` is certainly empty (filtered by an empty list)."""
    grouped = (
        events.filter(stage__isnull=False).order_by().values("asset_id", "stage_id").annotate(n=Count("pk"))
    )
    try:
        return grouped.query.sql_with_params()
    except EmptyResultSet:
        return None


# Rows in (asset, stage) order, so concurrent writers take the rows' locks in the same order.
_ADDED = f"ON CONFLICT (asset_id, stage_id) DO UPDATE SET uses = {STAGE_USES}.uses + excluded.uses"


def stage_uses_add(events: QuerySet[UsageEvent]) -> None:
    """Add these events to their (asset, stage) counts, in one INSERT … ON CONFLICT DO UPDATE."""
    if (counted := _by_asset_and_stage(events)) is None:
        return
    grouped, params = counted
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STAGE_USES} (asset_id, stage_id, uses) "
            f"SELECT g.asset_id, g.stage_id, g.n FROM ({grouped}) g "
            f"WHERE true ORDER BY g.asset_id, g.stage_id {_ADDED}",
            params,
        )


def stage_uses_count(added: Counter) -> None:
    """Add new uses counted by (asset_id, stage_id) to the stored counts, in one INSERT … ON CONFLICT
    DO UPDATE: what a writer that knows its events' stages adds without reading them back."""
    if not added:
        return
    pairs = sorted(added.items())
    values = ", ".join(["(%s, %s, %s)"] * len(pairs))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STAGE_USES} (asset_id, stage_id, uses) VALUES {values} {_ADDED}",
            [value for (asset_id, stage_id), n in pairs for value in (asset_id, stage_id, n)],
        )


def stage_uses_take(events: QuerySet[UsageEvent]) -> None:
    """Take these events from their (asset, stage) counts (before they move stage), in one UPDATE."""
    if (counted := _by_asset_and_stage(events)) is None:
        return
    grouped, params = counted
    with connection.cursor() as cursor:
        # Never below 0: a count that missed events (written round the write path) is set right by
        # the next recount, not made negative.
        cursor.execute(
            f"UPDATE {STAGE_USES} SET uses = CASE WHEN {STAGE_USES}.uses > g.n "
            f"THEN {STAGE_USES}.uses - g.n ELSE 0 END FROM ({grouped}) g "
            f"WHERE {STAGE_USES}.asset_id = g.asset_id AND {STAGE_USES}.stage_id = g.stage_id",
            params,
        )


def stage_uses_refresh(*, asset_ids: set[int] | None = None) -> None:
    """Set the (asset, stage) counts of these assets (every asset without `asset_ids`) from their
    events, writing only the rows that changed."""
    events, counts = UsageEvent.objects.all(), AssetStageUses.objects.all()
    if asset_ids is not None:
        events, counts = events.filter(asset_id__in=asset_ids), counts.filter(asset_id__in=asset_ids)
    if (counted := _by_asset_and_stage(events)) is None:
        return
    grouped, params = counted
    with connection.cursor() as cursor:
        cursor.execute(
            # Compared with the stored counts by one join first: only changed counts reach the upsert.
            f"INSERT INTO {STAGE_USES} (asset_id, stage_id, uses) "
            f"SELECT g.asset_id, g.stage_id, g.n FROM ({grouped}) g "
            f"LEFT JOIN {STAGE_USES} t ON t.asset_id = g.asset_id AND t.stage_id = g.stage_id "
            "WHERE t.uses IS NULL OR t.uses <> g.n ORDER BY g.asset_id, g.stage_id "
            "ON CONFLICT (asset_id, stage_id) DO UPDATE SET uses = excluded.uses",
            params,
        )
    used_there = UsageEvent.objects.filter(asset=OuterRef("asset"), stage=OuterRef("stage"))
    counts.exclude(Exists(used_there)).delete()
