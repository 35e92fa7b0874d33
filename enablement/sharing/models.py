"""Share links to one asset for one deal's buyer, and the buyer's views of them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from assets.choices import AssetStatus
from assets.models import Asset
from enablement.deals.models import Deal


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


class Lapsing:
    """Withdraw and expiry, the rule share links and deal rooms share (both have `revoked_at` and
    `expires_at`)."""

    def unavailable_reason(self, at=None) -> str:
        """ "withdrawn", "expired", or "" while live: the one rule for the buyer's page, files and
        what is recorded of the buyer."""
        at = at or timezone.now()
        if self.revoked_at is not None:
            return "withdrawn"
        if self.expires_at <= at:
            return "expired"
        return ""

    def is_active(self, at=None) -> bool:
        return not self.unavailable_reason(at)


class ShareLink(Lapsing, models.Model):
    """An unguessable link a rep sends a buyer: one asset, one deal, with an expiry."""

    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="share_links")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="share_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    allow_download = models.BooleanField(default=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.asset} for {self.deal}"

    def unavailable_reason(self, at=None) -> str:
        """Why the buyer can no longer open the link: "withdrawn", "expired", "unpublished",
        "internal", or "" while it is live."""
        if lapsed := super().unavailable_reason(at):
            return lapsed
        # Archiving an asset (or taking it back to draft) withdraws it from buyers as from reps, and
        # an asset marked internal after it was shared stops reaching the buyer.
        if self.asset.status != AssetStatus.PUBLISHED:
            return "unpublished"
        return "internal" if self.asset.is_internal else ""


class ShareView(models.Model):
    """A buyer opening a share link, recorded when the page's script reports that it ran (a link
    preview or a mail scanner fetches the page without running it, and is no view). `key` is the
    one-off id the page was served with, so a report sent twice counts once. The viewer's address is
    kept only as a keyed hash."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField(default=timezone.now)
    viewer_hash = models.CharField(max_length=64)
    # Null for the views recorded when the page was fetched, before pages reported them.
    key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"view of {self.link} at {self.viewed_at:%Y-%m-%d %H:%M}"
