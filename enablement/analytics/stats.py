"""The statistics of the analytics, as plain functions over counts (no ORM), so each can be checked
against published worked examples (tests/enablement/analytics/test_stats.py).

- Wilson score interval for a proportion (Wilson 1927; Newcombe 1998a, method 3).
- Newcombe's hybrid score interval for a difference of proportions (Newcombe 1998b, method 10).
- Mantel–Haenszel risk difference over strata (Greenland & Robins 1985), with the 95% interval from
  Sato's variance (Sato 1989, Biometrics 45:1323), which holds both for many sparse strata (one deal
  owner in one quarter may have a handful of deals) and for a few large ones.
- Cochran–Mantel–Haenszel test of no association over strata, with continuity correction.
- Benjamini–Hochberg adjusted p-values (q-values).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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


def mantel_haenszel_rd_ci(strata: Sequence[Stratum], z: float = Z95) -> tuple[float, float, float] | None:
    """The Mantel–Haenszel risk difference and its interval from Sato's variance: (rd, low, high).

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
    half = z * math.sqrt(max(rd * p_sum + q_sum, 0.0)) / w_sum
    return rd, rd - half, rd + half


def cmh_test(strata: Sequence[Stratum], correction: bool = True) -> tuple[float, float] | None:
    """Cochran–Mantel–Haenszel chi-squared (1 df) and its p-value, or None when no stratum informs."""
    observed = expected = variance = 0.0
    for s in strata:
        a, c = s.exposed_advanced, s.unexposed_advanced
        n1, n0 = a + s.exposed_lost, c + s.unexposed_lost
        n, advanced = n1 + n0, a + c
        if n < 2 or n1 == 0 or n0 == 0:
            continue
        observed += a
        expected += n1 * advanced / n
        variance += n1 * n0 * advanced * (n - advanced) / (n * n * (n - 1))
    if variance <= 0:
        return None
    deviation = abs(observed - expected)
    if correction:
        deviation = max(0.0, deviation - 0.5)
    statistic = deviation * deviation / variance
    return statistic, chi2_sf_1df(statistic)


def chi2_sf_1df(statistic: float) -> float:
    """P(X > statistic) for a chi-squared variable with one degree of freedom."""
    return math.erfc(math.sqrt(max(statistic, 0.0) / 2))


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
