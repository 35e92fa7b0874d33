"""Reads that put the catalogue, the rep's deals and the analytics together for the portal's pages."""

from __future__ import annotations

from copy import copy

from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from assets.choices import AssetStatus
from assets.models import Asset, BuyerRole
from enablement.analytics.engine import current_run
from enablement.analytics.models import AssetStageMetric
from enablement.buyers.selectors import roles_in_room
from enablement.choices import ExposureKind, Verdict
from enablement.deals.models import Deal
from enablement.usage.models import UsageEvent

SUGGESTIONS_PER_DEAL = 3


def suggestions_for(deals: list[Deal], *, per_deal: int = SUGGESTIONS_PER_DEAL) -> dict[int, list[Asset]]:
    """For each deal, published assets made for its current stage that it has not used yet: those made
    for a buyer role on the deal's committee first, then within each group those with higher
    conversion at that stage (largest adjusted lift first), then the ones peers used most there.
    Each asset carries `for_roles`, the committee's roles it was made for.
    Seven queries, whatever the number of deals."""
    stage_ids = {d.current_stage_id for d in deals if d.current_stage_id}
    if not stage_ids:
        return {}
    peer_uses = (
        UsageEvent.objects.filter(asset=OuterRef("asset_id"), stage=OuterRef("funnelstage_id"))
        .order_by()
        .values("asset")
        .annotate(n=Count("pk"))
        .values("n")
    )
    higher = AssetStageMetric.objects.filter(
        run=current_run(),
        asset=OuterRef("asset_id"),
        stage=OuterRef("funnelstage_id"),
        verdict=Verdict.HELPS,
        exposure=ExposureKind.USED,
    ).values("adjusted_lift")[:1]
    ranked = (
        Asset.stages.through.objects.filter(funnelstage_id__in=stage_ids, asset__status=AssetStatus.PUBLISHED)
        .annotate(
            uses=Coalesce(Subquery(peer_uses, output_field=IntegerField()), 0),
            lift=Subquery(higher, output_field=FloatField()),
        )
        .order_by(F("lift").desc(nulls_last=True), "-uses", "asset__title")
        .values_list("funnelstage_id", "asset_id")
    )
    by_stage: dict[int, list[int]] = {}
    for stage_id, asset_id in ranked:
        by_stage.setdefault(stage_id, []).append(asset_id)
    used = set(UsageEvent.objects.filter(deal__in=[d.pk for d in deals]).values_list("deal_id", "asset_id"))
    in_room, made_for = _roles_in_room(deals, {a for ids in by_stage.values() for a in ids})
    chosen = {}
    for deal in deals:
        fresh = [a for a in by_stage.get(deal.current_stage_id, []) if (deal.pk, a) not in used]
        present = in_room.get(deal.pk, set())
        # Assets for a buyer role on the deal's committee first; the ranking above within each group.
        fresh.sort(key=lambda a: not (made_for.get(a, set()) & present))
        chosen[deal.pk] = fresh[:per_deal]
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


def _roles_in_room(deals: list[Deal], asset_ids: set[int]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """({deal: buyer roles on its committee}, {asset: buyer roles it was made for})."""
    in_room = roles_in_room(d.pk for d in deals)
    made_for: dict[int, set[int]] = {}
    for asset_id, role_id in Asset.buyer_roles.through.objects.filter(asset_id__in=asset_ids).values_list(
        "asset_id", "buyerrole_id"
    ):
        made_for.setdefault(asset_id, set()).add(role_id)
    return in_room, made_for
