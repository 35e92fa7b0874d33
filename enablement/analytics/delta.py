"""A refresh's figures moved by difference: for an (asset, stage) whose stage's cohort at risk did
not change (no history, no landmark moved or passed there) and whose asset's availability did not
move, the exposures that came or went in the touched deals are added to or taken from the pair's
stored inputs (enablement.analytics.states), and the figures follow from those alone, without
reading the working tables. Pairs it cannot move this way (no stored inputs, an asset that came late
to the stage) are left in the scope for enablement.analytics.figures to compute from the tables."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from enablement.analytics.comparison import Counts, Pair, metric_build
from enablement.analytics.medians import median, median_without, moved
from enablement.analytics.models import AnalyticsRun, AssetStageMetric
from enablement.analytics.states import (
    cut_of,
    days_unpacked,
    pair_state,
    states_read,
    strata_in,
    strata_sorted,
)

if TYPE_CHECKING:
    from enablement.analytics.cohort import Landmarks
    from enablement.analytics.figures import Scope

Key = tuple[int, int]


@dataclass
class Change:
    """An exposure that came (sign 1) or went (−1), with its entry's stratum and outcome."""

    sign: int
    asset_id: int
    stage_id: int
    entry_id: int
    owner_id: int | None
    quarter: int
    outcome: str
    in_window: bool
    amount: Decimal | None
    won: bool
    days: float | None

    def __post_init__(self) -> None:
        self.in_window, self.won = bool(self.in_window), bool(self.won)  # SQLite: 0 or 1


@dataclass
class Moved:
    metrics: list[AssetStageMetric] = field(default_factory=list)
    done: set[Key] = field(default_factory=set)  # pairs settled here, with a row or (no use left) without
    states: dict[Key, dict] = field(default_factory=dict)


def metrics_moved(
    run: AnalyticsRun, landmarks: Landmarks, availability: dict[int, datetime], scope: Scope
) -> Moved:
    """The figures of the scope's pairs that can be moved by its changes; they leave `scope.pairs`."""
    result = Moved()
    stages = {s for s in landmarks.days if s not in scope.stages}
    wanted = stages if scope.assets else {s for _, s in scope.pairs if s in stages}
    stage_states, pair_states = states_read(run, wanted, scope.pairs, scope.kind)
    late = _late_pairs(scope, landmarks, availability, stage_states)
    scope.pairs |= late
    scope.assets = set()
    candidates = {k for k in scope.pairs if k[1] in stages and k not in late}
    if not candidates:
        return result
    rows = AssetStageMetric.objects.filter(
        run=run, stage_id__in={s for _, s in candidates}, exposure=scope.kind
    )
    stored = {
        (a, s): (later, influenced, won)
        for a, s, later, influenced, won in rows.values_list(
            "asset_id", "stage_id", "later_deals", "influenced_amount", "won_amount"
        )
    }
    changes: dict[Key, list[Change]] = defaultdict(list)
    for change in scope.changes:
        changes[(change.asset_id, change.stage_id)].append(change)
    everyone: dict[int, list[float]] = {}  # each stage's advanced days at risk, unpacked once
    at_risk: dict[int, dict] = {}  # and its strata at risk, read once
    for key in sorted(candidates):
        cohort = stage_states.get(key[1])
        first = datetime.fromisoformat(cohort["first"]) if cohort else None
        if cohort is None or cut_of(availability.get(key[0]), landmarks.days.get(key[1]), first):
            continue  # an asset that came after the stage's first entries: from the tables
        if key not in stored:
            if not any(c.in_window for c in changes[key]):
                result.done.add(key)  # used only after the landmark, as before: no row either way
            continue
        if key not in pair_states:
            continue  # a row without its inputs: from the tables
        pair, days = _pair_moved(stored[key], pair_states[key], changes[key])
        if pair is None:
            continue
        result.done.add(key)
        if not pair.exposed:
            continue  # no use before the landmark left: no row, as a full run would leave
        if key[1] not in everyone:
            everyone[key[1]] = days_unpacked(cohort["days"])
            at_risk[key[1]] = strata_sorted(strata_in(cohort["strata"]))
        metric = metric_build(run, key, pair, at_risk[key[1]])
        metric.exposure = scope.kind
        metric.exposed_median_days = median(days)
        metric.unexposed_median_days = median_without(everyone[key[1]], days)
        result.metrics.append(metric)
        result.states[key] = pair_state(pair, days)
    scope.pairs -= result.done
    return result


def _late_pairs(
    scope: Scope, landmarks: Landmarks, availability: dict[int, datetime], stage_states: dict[int, dict]
) -> set[Key]:
    """The pairs of the assets whose availability moved (`scope.assets`) at the stages where the asset
    came, or now comes, after the stage's first entries: only there does the move change who is
    comparable (elsewhere every entry is, before and after). Stages computed from the tables anyway
    (`scope.stages`) need none."""
    late = set()
    for stage_id, days in landmarks.days.items():
        if stage_id in scope.stages:
            continue
        cohort = stage_states.get(stage_id)
        first = datetime.fromisoformat(cohort["first"]) if cohort else None
        for asset_id in scope.assets:
            was, now = scope.was_available.get(asset_id), availability.get(asset_id)
            if cohort is None or cut_of(was, days, first) or cut_of(now, days, first):
                late.add((asset_id, stage_id))
    return late


def _pair_moved(
    stored: tuple[int, Decimal, Decimal], state: dict, changes: list[Change]
) -> tuple[Pair | None, list[float]]:
    """The pair's inputs with the changes applied (None: a change did not fit the stored inputs)."""
    later, influenced, won = stored
    pair = Pair(exposed=defaultdict(Counts, strata_in(state["exposed"])), influenced=influenced, won=won)
    pair.later = later
    days = days_unpacked(state["days"])
    for c in changes:
        if not c.in_window:
            pair.later += c.sign
            continue
        pair.exposed[(c.owner_id, c.quarter)].add(c.outcome, c.sign)
        amount = Decimal(c.amount or 0)
        pair.influenced += c.sign * amount
        if c.won:
            pair.won += c.sign * amount
        if c.outcome == "advanced" and not moved(days, float(c.days), c.sign):
            return None, days
    if pair.later < 0 or any(min(v.advanced, v.lost, v.open) < 0 for v in pair.exposed.values()):
        return None, days  # the stored inputs do not fit the changes: from the tables instead
    left = {k: v for k, v in pair.exposed.items() if v.advanced or v.lost or v.open}
    pair.exposed = defaultdict(Counts, left)
    return pair, days
