"""Writes of share links and the buyer views they record."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assets.choices import AssetStatus
from assets.models import Asset
from config.audit.services import audit_record
from enablement import webhook_events
from enablement.choices import UsageAction, UsageSource
from enablement.deals.models import Deal
from enablement.sharing.models import ShareLink, ShareView
from enablement.usage.services import usage_after_close, usage_record


def share_link_refusal(*, asset: Asset, deal: Deal, at: datetime | None = None) -> str | None:
    """Why `asset` cannot be shared in `deal` now, or None. Sharing counts as using the asset, so a
    closed deal refuses it as it refuses usage; forms ask this to show the reason on the form."""
    if asset.status != AssetStatus.PUBLISHED:
        return f"“{asset}” is not published, so it cannot be shared."
    return usage_after_close(
        deal_label=deal.external_id, closed_at=deal.closed_at, occurred_at=at or timezone.now()
    )


@transaction.atomic
def share_link_create(
    *, asset: Asset, deal: Deal, by: AbstractBaseUser, days: int = 30, allow_download: bool = True
) -> ShareLink:
    """A tracked link to one asset for one deal's buyer; sharing counts as the rep using the asset."""
    if problem := share_link_refusal(asset=asset, deal=deal):
        raise ValidationError(problem)
    if not 1 <= days <= 365:
        raise ValidationError({"days": "A share link lasts between 1 and 365 days."})
    link = ShareLink.objects.create(
        asset=asset,
        deal=deal,
        created_by=by,
        allow_download=allow_download,
        expires_at=timezone.now() + timedelta(days=days),
    )
    usage_record(
        event_id=f"share-link-{link.pk}",
        asset=asset,
        deal=deal,
        rep=by,
        action=UsageAction.SHARED,
        occurred_at=link.created_at,
        source=UsageSource.SHARE_LINK,
    )
    audit_record(
        event="share.created", target=link, by=by, data={"asset": asset.slug, "deal": deal.external_id}
    )
    return link


def share_link_revoke(*, link: ShareLink, by: AbstractBaseUser | None = None) -> ShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_record(event="share.withdrawn", target=link, by=by)
    return link


def viewer_hash(address: str) -> str:
    """A keyed hash of the viewer's address: repeat views can be told apart, the address is not kept."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def share_view_record(*, link: ShareLink, viewer_address: str, at: datetime | None = None) -> ShareView:
    at = at or timezone.now()
    if reason := link.unavailable_reason(at):
        raise ValidationError(f"This link is no longer live ({reason}).")
    view = ShareView.objects.create(link=link, viewed_at=at, viewer_hash=viewer_hash(viewer_address))
    webhook_events.share_viewed(view)
    return view
