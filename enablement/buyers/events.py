"""What the buyers package announces to the packages above it, which connect to it in
EnablementConfig.ready (a lower layer never imports a higher one)."""

from __future__ import annotations

from django.dispatch import Signal

# A buyer profile was approved and every deal is to be scored against it again (kwargs: profile).
profile_approved = Signal()
