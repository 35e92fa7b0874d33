"""What the deals package announces to the packages above it (buyers score fit, usage events carry the
deal's stage at their time). Those connect in EnablementConfig.ready: deals is the lowest layer and
imports none of them. Receivers run at once, inside the sender's transaction, so the whole change
commits or rolls back together."""

from __future__ import annotations

from django.dispatch import Signal

# Rows were added to these deals' stage history (kwargs: deal_ids, since = the earliest new row's time).
history_added = Signal()
# Facts the buyer-profile fit is scored on changed for these deals (kwargs: deal_ids).
fit_facts_changed = Signal()
