"""Reads of deals and usage, with the visibility rule: reps see their own deals only."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, FloatField, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from assets.choices import AssetStatus
from assets.models import Asset
from enablement.analytics.engine import current_run
from enablement.analytics.models import AssetStageMetric
from enablement.choices import Verdict
from enablement.models import Deal, ShareLink, UsageEvent

SUGGESTIONS_PER_DEAL = 3


def deals_visible_to(user: AbstractBaseUser) -> QuerySet[Deal]:
    """Reps see the deals they own; marketing and admins see every deal."""
    qs = Deal.objects.select_related("account", "owner", "current_stage")
    if user.has_perm("assets.view_unpublished_asset"):
        return qs
    return qs.filter(owner=user)


def share_link_by_token(token: str) -> ShareLink | None:
    """A share link with what the buyer's page shows; ask `unavailable_reason()` whether it is live."""
    return (
        ShareLink.objects.select_related("asset__current_version", "deal__account", "created_by")
        .filter(token=token)
        .first()
    )


def open_deals_of(user: AbstractBaseUser) -> QuerySet[Deal]:
    """The user's own open deals, most recently active first."""
    return deals_visible_to(user).filter(owner=user, closed_at__isnull=True).order_by("-updated_at", "-pk")


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


def usage_of_deal(deal: Deal) -> QuerySet[UsageEvent]:
    return deal.usage_events.select_related("asset", "rep", "stage").order_by("occurred_at")
