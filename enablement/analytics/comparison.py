"""From counts per stratum to one stored row per (asset, stage): rates, the crude interval, the
Mantel–Haenszel adjusted lift with Sato's interval and the test from the same variance where there is
enough data, then q-values over every tested row, each row's verdict and the interval shown beside
it, adjusted for the number of rows tested (the method is documented in docs/analytics-method.md)."""

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
    estimate = stats.mantel_haenszel_rd_se(table) if enough else None
    adjusted = p_value = None
    if estimate is not None:
        rd, se = estimate
        adjusted = (rd, rd - stats.Z95 * se, rd + stats.Z95 * se)
        p_value = stats.two_sided_p(rd, se)
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
        p_value=p_value,
        influenced_amount=pair.influenced,
        won_amount=pair.won,
        verdict=Verdict.TOO_LITTLE,
    )
    metric.enough = p_value is not None
    return metric


def judge(metrics: list[AssetStageMetric]) -> None:
    """q-values over every row with enough data, each row's verdict, and the interval shown beside
    it: the adjusted lift's, widened for the number of rows tested (stats.fcr_z). Significance
    (q ≤ α) and that interval excluding 0 are one condition: Benjamini–Hochberg selects the R rows
    whose p-value is at most αR/m, and the interval at level 1 − αR/m excludes 0 for exactly those."""
    tested = [m for m in metrics if m.enough]
    for metric, q in zip(tested, stats.benjamini_hochberg([m.p_value for m in tested]), strict=True):
        metric.q_value = q
    threshold = settings.ANALYTICS_Q_THRESHOLD
    selected = sum(1 for m in tested if m.q_value <= threshold)
    widen = stats.fcr_z(selected=selected, tested=len(tested), alpha=threshold) / stats.Z95
    for m in metrics:
        m.comparisons = len(tested)
        if not m.enough:
            m.verdict = Verdict.TOO_LITTLE
            m.adjusted_lift = m.adjusted_low = m.adjusted_high = m.p_value = m.q_value = None
            m.adjusted_fcr_low = m.adjusted_fcr_high = None
            m.significant = False
            continue
        # The same standard error as the 95% interval (rd ± z·se), read back from it, so a refresh
        # that keeps a row works from the stored interval and gives a full run's figures exactly.
        half = (m.adjusted_high - m.adjusted_low) / 2 * widen
        m.adjusted_fcr_low, m.adjusted_fcr_high = m.adjusted_lift - half, m.adjusted_lift + half
        m.significant = m.q_value <= threshold
        if m.significant:
            m.verdict = Verdict.HELPS if m.adjusted_lift > 0 else Verdict.HURTS
        else:
            m.verdict = Verdict.NO_EVIDENCE
