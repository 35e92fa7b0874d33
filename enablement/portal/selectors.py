"""Reads that put the catalogue, the rep's deals and the analytics together for the portal's pages."""

from __future__ import annotations

from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from assets.choices import AssetStatus
from assets.models import Asset
from enablement.analytics.engine import current_run
from enablement.analytics.models import AssetStageMetric
from enablement.choices import Verdict
from enablement.deals.models import Deal
from enablement.usage.models import UsageEvent

SUGGESTIONS_PER_DEAL = 3


def suggestions_for(deals: list[Deal], *, per_deal: int = SUGGESTIONS_PER_DEAL) -> dict[int, list[Asset]]:
    """For each deal, published assets made for its current stage that it has not used yet: those
    with higher conversion at that stage first (largest adjusted lift first), then the ones peers used
    most there.
    Four queries, whatever the number of deals."""
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
        run=current_run(), asset=OuterRef("asset_id"), stage=OuterRef("funnelstage_id"), verdict=Verdict.HELPS
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
    chosen = {
        deal.pk: [a for a in by_stage.get(deal.current_stage_id, []) if (deal.pk, a) not in used][:per_deal]
        for deal in deals
    }
    assets = Asset.objects.in_bulk({a for ids in chosen.values() for a in ids})
    return {deal_id: [assets[a] for a in ids] for deal_id, ids in chosen.items()}
