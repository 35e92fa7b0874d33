"""The engine against a plain Python reading of the method (docs/analytics-method.md), on random
histories: entries
(outcome, resolution, days), the funnel scorecard (counts, median, 75th percentile), the landmarks
and the exposures, on whichever database the suite runs on.

The histories are hostile on purpose: many rows at the same instant (different stages, and the same
stage twice), repeated stages, moves back, a lost stage then a reopening, won and lost rows in any
order, deals with one row, and a funnel whose stage ids are not in the order of `order` (the stages
are given shuffled orders, so won and lost stages need not be last)."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import Exposure, StageEntry, StageMetric
from enablement.models import StageChange, UsageEvent
from tests.enablement.analytics.random_world import _world

pytestmark = pytest.mark.django_db


def _rank(values: list[float], k: int) -> float:
    return values[k - 1]  # nearest rank, 1-based


def _reference(as_of: datetime):
    """Entries {(deal, stage): (entered, outcome, resolved_at)}, scorecard, landmarks and exposures
    {(entry key, asset): in_window}, straight from the method's definitions."""
    stage = {s.pk: s for s in FunnelStage.objects.all()}
    rows = defaultdict(list)
    for c in StageChange.objects.all():
        rows[c.deal_id].append(c)
    entries = {}
    for deal_id, deal_rows in rows.items():
        ordered = sorted(deal_rows, key=lambda c: (c.entered_at, stage[c.stage_id].order, c.pk))
        seen = set()
        for i, row in enumerate(ordered):
            s = stage[row.stage_id]
            if s.outcome != "open" or s.pk in seen:
                continue
            seen.add(s.pk)
            outcome, resolved = "open", None
            for later in ordered[i + 1 :]:
                t = stage[later.stage_id]
                if t.outcome == "lost":
                    outcome, resolved = "lost", later.entered_at
                    break
                if t.order > s.order:
                    outcome, resolved = "advanced", later.entered_at
                    break
            entries[(deal_id, s.pk)] = (row.entered_at, outcome, resolved)
    card, landmarks, quartiles = {}, {}, {}
    for s in stage.values():
        if s.outcome != "open":
            continue
        mine = [v for (d, sid), v in entries.items() if sid == s.pk]
        adv = sorted((r - e).total_seconds() / 86400 for e, o, r in mine if o == "advanced")
        res = sorted((r - e).total_seconds() / 86400 for e, o, r in mine if o != "open")
        n = len(adv)
        median = (_rank(adv, (n + 1) // 2) + _rank(adv, (n + 2) // 2)) / 2 if n else None
        p75 = _rank(adv, (3 * n + 3) // 4) if n else None
        counts = tuple(sum(1 for v in mine if v[1] == o) for o in ("advanced", "lost", "open"))
        card[s.pk] = (len(mine), *counts, median, p75)
        quartiles[s.pk] = _rank(res, (len(res) + 3) // 4) if res else None
        if s.landmark_days:
            landmarks[s.pk] = s.landmark_days
        elif res:
            landmarks[s.pk] = max(1, math.ceil(quartiles[s.pk]))
        else:
            landmarks[s.pk] = None
    uses = defaultdict(list)
    for u in UsageEvent.objects.all():
        uses[u.deal_id].append(u)
    exposures = {}
    for (deal_id, sid), (entered, _, resolved) in entries.items():
        if landmarks[sid] is None:
            continue
        mark = entered + timedelta(days=landmarks[sid])
        if mark > as_of or (resolved is not None and resolved < mark):
            continue  # landmark not passed, or resolved before it: not at risk
        first = {}
        for u in uses[deal_id]:
            if u.occurred_at >= entered and (resolved is None or u.occurred_at < resolved):
                first[u.asset_id] = min(first.get(u.asset_id, u.occurred_at), u.occurred_at)
        for asset_id, at in first.items():
            exposures[((deal_id, sid), asset_id)] = at < mark
    return entries, card, landmarks, quartiles, exposures


@pytest.mark.parametrize("seed", range(int(os.environ.get("REF_SEEDS", 8))))
def test_the_engine_agrees_with_a_python_reading_of_the_contract(seed):
    _world(seed)
    run = analytics_compute()
    entries, card, landmarks, quartiles, exposures = _reference(run.computed_at)

    stored = {(e.deal_id, e.stage_id): e for e in StageEntry.objects.filter(run=run)}
    assert set(stored) == set(entries)
    for key, (entered, outcome, resolved) in entries.items():
        e = stored[key]
        assert (e.entered_at, e.outcome, e.resolved_at) == (entered, outcome, resolved), key
        if outcome == "open":
            assert e.days is None, key
        else:
            assert e.days == pytest.approx((resolved - entered).total_seconds() / 86400, abs=1e-9), key

    metrics = {m.stage_id: m for m in StageMetric.objects.filter(run=run)}
    assert set(metrics) == set(card)
    for sid, (entered, advanced, lost, still_open, median, p75) in card.items():
        m = metrics[sid]
        assert (m.entered, m.advanced, m.lost, m.open) == (entered, advanced, lost, still_open), sid
        assert m.median_days == (None if median is None else pytest.approx(median, abs=1e-9)), sid
        assert m.p75_days == (None if p75 is None else pytest.approx(p75, abs=1e-9)), sid
        assert m.landmark_days == landmarks[sid], sid
        q = quartiles[sid]
        assert m.resolution_p25 == (None if q is None else pytest.approx(q, abs=1e-9)), sid

    key_of = {e.pk: k for k, e in stored.items()}
    found = {(key_of[x.entry_id], x.asset_id): x.in_window for x in Exposure.objects.filter(run=run)}
    assert found == exposures
