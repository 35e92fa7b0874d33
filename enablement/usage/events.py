"""What the usage package announces to the packages above it, which connect in EnablementConfig.ready
(a lower layer never imports a higher one)."""

from __future__ import annotations

from django.dispatch import Signal

# Usage events were deleted (the admin): no analytics refresh sees rows that are gone.
usage_deleted = Signal()
