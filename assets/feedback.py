"""What reps tell marketing about the catalogue: downloads, "Was this useful?", and requests for
content that does not exist yet (with votes)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from assets.models import Asset, AssetDownload, AssetFeedback, BuyerRole, ContentRequest, FunnelStage


def asset_download_record(*, asset: Asset, user: AbstractBaseUser) -> AssetDownload:
    return AssetDownload.objects.create(asset=asset, version=asset.current_version, user=user)


def asset_feedback_record(
    *, asset: Asset, user: AbstractBaseUser, useful: bool, comment: str = ""
) -> AssetFeedback:
    """A rep's "Was this useful?"; answering again replaces the earlier answer."""
    feedback, _ = AssetFeedback.objects.update_or_create(
        asset=asset, user=user, defaults={"useful": useful, "comment": comment[:500]}
    )
    return feedback


def content_request_create(
    *,
    title: str,
    user: AbstractBaseUser,
    details: str = "",
    buyer_role: BuyerRole | None = None,
    stage: FunnelStage | None = None,
) -> ContentRequest:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Say in a few words what you need."})
    request = ContentRequest.objects.create(
        title=title[:200], details=details, buyer_role=buyer_role, stage=stage, requested_by=user
    )
    request.voters.add(user)  # asking counts as wanting it
    return request


def content_request_vote(*, request: ContentRequest, user: AbstractBaseUser) -> bool:
    """Toggle the user's vote; returns whether the user now votes for it."""
    if request.voters.filter(pk=user.pk).exists():
        request.voters.remove(user)
        return False
    request.voters.add(user)
    return True
