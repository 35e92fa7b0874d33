"""Reads of share links."""

from __future__ import annotations

from enablement.sharing.models import ShareLink


def share_link_by_token(token: str) -> ShareLink | None:
    """A share link with what the buyer's page shows; ask `unavailable_reason()` whether it is live."""
    return (
        ShareLink.objects.select_related("asset__current_version__rendition", "deal__account", "created_by")
        .filter(token=token)
        .first()
    )
