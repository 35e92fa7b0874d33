"""The statistics of the analytics, as plain functions over counts (no ORM), so each can be checked
against published worked examples (tests/enablement/analytics/test_stats.py).

- Wilson score interval for a proportion (Wilson 1927; Newcombe 1998a, method 3).
- Newcombe's hybrid score interval for a difference of proportions (Newcombe 1998b, method 10).
- Mantel–Haenszel risk difference over strata (Greenland & Robins 1985), with the 95% interval from
  Sato's variance (Sato 1989, Biometrics 45:1323), which holds both for many sparse strata (one deal
  owner in one quarter may have a handful of deals) and for a few large ones.
- The two-sided test of a Mantel–Haenszel difference of 0 from that same variance (z = rd / SE), so
  that the test and the interval never disagree.
- Benjamini–Hochberg adjusted p-values (q-values), and the Benjamini–Yekutieli (2005) false coverage
  rate interval shown beside a verdict: with R of m rows selected, each selected row's interval at
  level 1 − αR/m, which excludes 0 exactly for the rows Benjamini–Hochberg selects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import NamedTuple

Z95 = 1.959963984540054


class Stratum(NamedTuple):
    """One stratum's 2×2 table (a deal owner in one calendar quarter): exposed and unexposed deals
    that advanced or were lost."""

    exposed_advanced: int
    exposed_lost: int
    unexposed_advanced: int
    unexposed_lost: int

    @property
    def exposed(self) -> int:
        return self.exposed_advanced + self.exposed_lost

    @property
    def unexposed(self) -> int:
        return self.unexposed_advanced + self.unexposed_lost

    @property
    def total(self) -> int:
        return self.exposed + self.unexposed


def rate(successes: int, total: int) -> float | None:
    return successes / total if total else None


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for successes/total, or None without observations."""
    if total <= 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(a: int, n1: int, b: int, n2: int, z: float = Z95) -> tuple[float, float] | None:
    """Newcombe's hybrid score interval for a/n1 − b/n2 (method 10), or None if a group is empty."""
    first, second = wilson(a, n1, z), wilson(b, n2, z)
    if first is None or second is None:
        return None
    p1, p2 = a / n1, b / n2
    (l1, u1), (l2, u2) = first, second
    difference = p1 - p2
    lower = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


def mantel_haenszel_rd(strata: Sequence[Stratum]) -> float | None:
    """Mantel–Haenszel risk difference (exposed − unexposed) over strata with both groups present."""
    numerator = denominator = 0.0
    for s in strata:
        a, c = s.exposed_advanced, s.unexposed_advanced
        n1, n0 = a + s.exposed_lost, c + s.unexposed_lost
        if n1 == 0 or n0 == 0:
            continue  # a stratum with one group only says nothing about the difference
        numerator += (a * n0 - c * n1) / (n1 + n0)
        denominator += n1 * n0 / (n1 + n0)
    return numerator / denominator if denominator else None


def mantel_haenszel_rd_se(strata: Sequence[Stratum]) -> tuple[float, float] | None:
    """The Mantel–Haenszel risk difference and its standard error from Sato's variance: (rd, se).

    With a_i, c_i the exposed and unexposed advanced, n1_i, n0_i the group sizes, N_i = n1_i + n0_i:
        var = (rd · Σ P_i + Σ Q_i) / (Σ n1_i·n0_i / N_i)²
        P_i = (n1_i²·c_i − n0_i²·a_i + n1_i·n0_i·(n0_i − n1_i) / 2) / N_i²
        Q_i = (a_i·(n0_i − c_i) + c_i·(n1_i − a_i)) / (2·N_i)
    Strata with one group only are left out, as in the estimate. None when no stratum informs.
    """
    rd = mantel_haenszel_rd(strata)
    if rd is None:
        return None
    p_sum = q_sum = w_sum = 0.0
    for s in strata:
        a, c = s.exposed_advanced, s.unexposed_advanced
        n1, n0 = a + s.exposed_lost, c + s.unexposed_lost
        if n1 == 0 or n0 == 0:
            continue
        n = n1 + n0
        p_sum += (n1 * n1 * c - n0 * n0 * a + n1 * n0 * (n0 - n1) / 2) / (n * n)
        q_sum += (a * (n0 - c) + c * (n1 - a)) / (2 * n)
        w_sum += n1 * n0 / n
    return rd, math.sqrt(max(rd * p_sum + q_sum, 0.0)) / w_sum


def mantel_haenszel_rd_ci(strata: Sequence[Stratum], z: float = Z95) -> tuple[float, float, float] | None:
    """The Mantel–Haenszel risk difference and its interval from Sato's variance: (rd, low, high)."""
    estimate = mantel_haenszel_rd_se(strata)
    if estimate is None:
        return None
    rd, se = estimate
    return rd, rd - z * se, rd + z * se


def two_sided_p(estimate: float, se: float) -> float | None:
    """P(|Z| ≥ |estimate / se|) for a standard normal Z; None without a spread to judge by."""
    if se <= 0:
        return None
    return math.erfc(abs(estimate / se) / math.sqrt(2))


def z_quantile(p: float) -> float:
    """The standard normal quantile: z_quantile(0.975) = 1.95996…"""
    return NormalDist().inv_cdf(p)


def fcr_z(*, selected: int, tested: int, alpha: float = 0.05) -> float:
    """The multiplier of the standard error for Benjamini & Yekutieli's false coverage rate interval
    when `selected` (R) of `tested` (m) rows are selected: z(1 − α·max(R, 1) / (2m)). With none
    selected the interval is the widest of the family's (as for R = 1), so it includes 0 wherever the
    row's p-value exceeds α/m, which no unselected row's is below."""
    return z_quantile(1 - alpha * max(selected, 1) / (2 * max(tested, 1)))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values, in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(running, 1.0)
    return adjusted
