"""Reads that put the catalogue, the rep's deals and the analytics together for the portal's pages."""

from __future__ import annotations

from copy import copy

from django.db import connection, transaction

from assets.choices import AssetStatus
from assets.models import Asset, BuyerRole
from enablement.analytics.engine import current_run
from enablement.analytics.models import AssetStageMetric, Segment
from enablement.buyers.models import DealRole
from enablement.buyers.selectors import roles_in_room
from enablement.choices import ExposureKind, Verdict
from enablement.deals.models import Deal
from enablement.usage.models import AssetStageUses, UsageEvent

SUGGESTIONS_PER_DEAL = 3


# Each deal's candidates (published assets for its current stage it has not used) ranked: made for a
# buyer role on its committee first, then higher conversion there (the current run's adjusted lift of
# the "helps" rows), then peers' uses there (stored per asset and stage), then title; the first
# `per_deal` of each deal kept. The deals' uses and committees are read first, by their deals (a
# NOT EXISTS per candidate was planned as a hash of every usage event), then joined by hash.
RANKED = """
WITH d AS (SELECT id, current_stage_id FROM {deals} WHERE id IN ({deal_ids})),
used AS (SELECT DISTINCT e.deal_id, e.asset_id FROM {usage} e JOIN d ON e.deal_id = d.id),
for_room AS (
    SELECT DISTINCT dr.deal_id, ar.asset_id FROM {deal_roles} dr
    JOIN d ON dr.deal_id = d.id JOIN {asset_roles} ar ON ar.buyerrole_id = dr.role_id
),
lifts AS (
    SELECT m.asset_id, m.stage_id, MAX(m.adjusted_lift) AS lift FROM {metrics} m
    WHERE m.run_id = %s AND m.segment = %s AND m.verdict = %s AND m.exposure = %s
      AND m.stage_id IN (SELECT current_stage_id FROM d)
    GROUP BY m.asset_id, m.stage_id
)
SELECT deal_id, asset_id FROM (
    SELECT d.id AS deal_id, a.id AS asset_id, ROW_NUMBER() OVER (
        PARTITION BY d.id
        ORDER BY r.asset_id IS NOT NULL DESC, l.lift DESC NULLS LAST, COALESCE(u.uses, 0) DESC, a.title, a.id
    ) AS place
    FROM d
    JOIN {asset_stages} s ON s.funnelstage_id = d.current_stage_id
    JOIN {assets} a ON a.id = s.asset_id AND a.status = %s
    LEFT JOIN used x ON x.deal_id = d.id AND x.asset_id = a.id
    LEFT JOIN for_room r ON r.deal_id = d.id AND r.asset_id = a.id
    LEFT JOIN lifts l ON l.asset_id = a.id AND l.stage_id = d.current_stage_id
    LEFT JOIN {stage_uses} u ON u.asset_id = a.id AND u.stage_id = d.current_stage_id
    WHERE x.deal_id IS NULL
) ranked
WHERE place <= %s
ORDER BY deal_id, place
"""
TABLES = {
    "asset_roles": Asset.buyer_roles.through._meta.db_table,
    "deal_roles": DealRole._meta.db_table,
    "metrics": AssetStageMetric._meta.db_table,
    "deals": Deal._meta.db_table,
    "asset_stages": Asset.stages.through._meta.db_table,
    "assets": Asset._meta.db_table,
    "stage_uses": AssetStageUses._meta.db_table,
    "usage": UsageEvent._meta.db_table,
}


def suggestions_for(deals: list[Deal], *, per_deal: int = SUGGESTIONS_PER_DEAL) -> dict[int, list[Asset]]:
    """For each deal, published assets made for its current stage that it has not used yet: those made
    for a buyer role on the deal's committee first, then within each group those with higher
    conversion at that stage (largest adjusted lift first), then the ones peers used most there.
    Each asset carries `for_roles`, the committee's roles it was made for.
    Ranked and limited in one query (RANKED); six queries in all (and the JIT setting on PostgreSQL),
    whatever the number of deals."""
    deal_ids = [d.pk for d in deals if d.current_stage_id]
    if not deal_ids:
        return {}
    run = current_run()
    sql = RANKED.format(deal_ids=", ".join(["%s"] * len(deal_ids)), **TABLES)
    params = [
        *deal_ids,
        run.pk if run else None,
        Segment.ALL,
        Verdict.HELPS,
        ExposureKind.USED,
        AssetStatus.PUBLISHED,
        per_deal,
    ]
    chosen: dict[int, list[int]] = {pk: [] for pk in deal_ids}
    for deal_id, asset_id in _rows(sql, params):
        chosen[deal_id].append(asset_id)
    in_room, made_for = _roles_in_room(deals, {a for ids in chosen.values() for a in ids})
    assets = Asset.objects.select_related("current_version__rendition").in_bulk(
        {a for ids in chosen.values() for a in ids}
    )
    names = dict(BuyerRole.objects.values_list("pk", "name"))
    picked: dict[int, list[Asset]] = {}
    for deal_id, ids in chosen.items():
        picked[deal_id] = []
        for a in ids:
            asset = copy(assets[a])  # one asset may be suggested to several deals, for different roles
            asset.for_roles = sorted(names[r] for r in made_for.get(a, set()) & in_room.get(deal_id, set()))
            picked[deal_id].append(asset)
    return picked


def _rows(sql: str, params: list) -> list[tuple]:
    if connection.vendor != "postgresql":  # SQLite: no transaction, which would take the write lock
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compiling took longer than the whole query at every size measured (docs/benchmarks.md).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _roles_in_room(deals: list[Deal], asset_ids: set[int]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """({deal: buyer roles on its committee}, {asset: buyer roles it was made for})."""
    in_room = roles_in_room(d.pk for d in deals)
    made_for: dict[int, set[int]] = {}
    for asset_id, role_id in Asset.buyer_roles.through.objects.filter(asset_id__in=asset_ids).values_list(
        "asset_id", "buyerrole_id"
    ):
        made_for.setdefault(asset_id, set()).add(role_id)
    return in_room, made_for
