"""From counts per stratum to one stored row per (asset, stage): rates, the crude interval, the
Mantel–Haenszel adjusted lift with Sato's interval and the stratified test where there is enough
data (CONTRACT section 3), then q-values over every tested row and each row's verdict."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings

from enablement.analytics import stats
from enablement.analytics.models import AnalyticsRun, AssetStageMetric
from enablement.choices import Verdict


@dataclass
class Counts:
    advanced: int = 0
    lost: int = 0
    open: int = 0

    def add(self, outcome: str, n: int) -> None:
        setattr(self, outcome, getattr(self, outcome) + n)

    @property
    def resolved(self) -> int:
        return self.advanced + self.lost


@dataclass
class Pair:
    """One asset at one stage: its exposed counts per stratum, and what the comparison needs."""

    exposed: dict[tuple, Counts] = field(default_factory=lambda: defaultdict(Counts))
    influenced: Decimal = Decimal(0)
    won: Decimal = Decimal(0)
    later: int = 0
    cut: datetime | None = None  # entries that entered at or before it are not comparable


def metric_build(
    run: AnalyticsRun, key: tuple[int, int], pair: Pair, comparable: dict[tuple, Counts]
) -> AssetStageMetric:
    asset_id, stage_id = key
    table, none = [], Counts()
    ea = el = eo = ua = ul = uo = enough_exposed = enough_unexposed = 0  # sums over the strata
    for stratum, total in comparable.items():
        e = pair.exposed.get(stratum, none)
        a, b, c, d = e.advanced, e.lost, total.advanced - e.advanced, total.lost - e.lost
        ea, el, eo, ua, ul, uo = ea + a, el + b, eo + e.open, ua + c, ul + d, uo + total.open - e.open
        table.append(stats.Stratum(a, b, c, d))
        if (a + b) and (c + d):
            enough_exposed, enough_unexposed = enough_exposed + a + b, enough_unexposed + c + d
    exp, unexp = Counts(ea, el, eo), Counts(ua, ul, uo)
    exposed_rate = stats.rate(exp.advanced, exp.resolved)
    unexposed_rate = stats.rate(unexp.advanced, unexp.resolved)
    interval = stats.newcombe(exp.advanced, exp.resolved, unexp.advanced, unexp.resolved)
    minimum = settings.ANALYTICS_MIN_DEALS
    enough = enough_exposed >= minimum and enough_unexposed >= minimum
    adjusted = stats.mantel_haenszel_rd_ci(table) if enough else None
    test = stats.cmh_test(table) if enough else None
    metric = AssetStageMetric(
        run=run,
        asset_id=asset_id,
        stage_id=stage_id,
        exposed_deals=exp.resolved,
        exposed_advanced=exp.advanced,
        exposed_lost=exp.lost,
        exposed_open=exp.open,
        exposed_rate=exposed_rate,
        unexposed_deals=unexp.resolved,
        unexposed_advanced=unexp.advanced,
        unexposed_lost=unexp.lost,
        unexposed_open=unexp.open,
        unexposed_rate=unexposed_rate,
        lift=None if exposed_rate is None or unexposed_rate is None else exposed_rate - unexposed_rate,
        lift_low=interval[0] if interval else None,
        lift_high=interval[1] if interval else None,
        adjusted_lift=adjusted[0] if adjusted else None,
        adjusted_low=adjusted[1] if adjusted else None,
        adjusted_high=adjusted[2] if adjusted else None,
        later_deals=pair.later,
        p_value=test[1] if test else None,
        influenced_amount=pair.influenced,
        won_amount=pair.won,
        verdict=Verdict.TOO_LITTLE,
    )
    metric.enough = enough and adjusted is not None and test is not None
    return metric


def judge(metrics: list[AssetStageMetric]) -> None:
    """q-values over every row with enough data, then each row's verdict."""
    tested = [m for m in metrics if m.enough]
    for metric, q in zip(tested, stats.benjamini_hochberg([m.p_value for m in tested]), strict=True):
        metric.q_value = q
    threshold = settings.ANALYTICS_Q_THRESHOLD
    for m in metrics:
        if not m.enough:
            m.verdict = Verdict.TOO_LITTLE
            m.adjusted_lift = m.adjusted_low = m.adjusted_high = m.p_value = m.q_value = None
            continue
        m.significant = m.q_value <= threshold and bool(m.adjusted_lift)
        if m.significant:
            m.verdict = Verdict.HELPS if m.adjusted_lift > 0 else Verdict.HURTS
        else:
            m.verdict = Verdict.NO_EVIDENCE
