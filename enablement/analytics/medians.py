"""Median days to advance, with and without an asset (docs/analytics-method.md), from sorted lists of days.

The database hands back, in one statement each, the days of every stage's advanced entries at risk,
of the entries that used each asset before the landmark, and of those not comparable for an asset
that came late (`days_lists`, ordered). The deals *without* an asset are the stage's list less the
other two, and their median is found by bisection over the stage's list (`median_without`), never by
building the difference: a few dozen steps per (asset, stage) whatever the number of deals. A refresh
keeps these lists (enablement.analytics.delta) and moves single days in and out of them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import defaultdict

from django.db import connection

from enablement.analytics import sql

# Days of each stage's advanced entries at risk (k1: the stage).
STAGE_DAYS_SQL = """
SELECT e.stage_id AS k1, 0 AS k2, e.days FROM {entry} e
WHERE e.run_id = %s AND e.outcome = 'advanced' AND {at_risk} {stages}
"""
# Days of the advanced entries that used an asset before the landmark (k1: the asset, k2: the stage).
EXPOSED_DAYS_SQL = """
SELECT x.asset_id AS k1, e.stage_id AS k2, e.days FROM {exposure} x JOIN {entry} e ON e.id = x.entry_id
{pairs} WHERE x.run_id = %s AND x.in_window AND e.outcome = 'advanced' {stages}
"""
# Days of the advanced entries at risk not comparable for an asset that came late: entered by its cut.
LEFT_OUT_DAYS_SQL = """
SELECT c.asset_id AS k1, c.stage_id AS k2, e.days FROM {cuts} c
JOIN {entry} e ON e.run_id = %s AND e.stage_id = c.stage_id
WHERE e.outcome = 'advanced' AND e.entered_at <= c.cut AND {at_risk} {stages}
"""

Lists = dict[tuple[int, int], list[float]]


def days_lists(source: str, params: list) -> Lists:
    """{(k1, k2): days in ascending order} from finished SQL selecting `k1, k2, days`."""
    with connection.cursor() as cursor:
        if sql.postgres():  # one array per key: a few hundred rows back instead of every entry
            cursor.execute(
                f"SELECT k1, k2, array_agg(days ORDER BY days) FROM ({source}) s GROUP BY k1, k2", params
            )
            return {(k1, k2): [float(d) for d in days] for k1, k2, days in cursor.fetchall()}
        cursor.execute(f"SELECT k1, k2, days FROM ({source}) s ORDER BY k1, k2, days", params)
        lists: Lists = defaultdict(list)
        for k1, k2, days in cursor.fetchall():
            lists[(k1, k2)].append(float(days))
        return dict(lists)


def median(days: list[float]) -> float | None:
    """The median of sorted days: the middle one, or the mean of the two middle ones."""
    n = len(days)
    return None if n == 0 else (days[(n - 1) // 2] + days[n // 2]) / 2


def median_without(everything: list[float], *left_out: list[float]) -> float | None:
    """The median of `everything` (sorted) less the sorted sub-lists `left_out` (each value taken out
    once per time it appears there)."""
    n = len(everything) - sum(len(days) for days in left_out)
    if n <= 0:
        return None
    return (_kth(everything, left_out, (n - 1) // 2) + _kth(everything, left_out, n // 2)) / 2


def _kth(everything: list[float], left_out: tuple[list[float], ...], k: int) -> float:
    """The k-th (from 0) of the values kept: the first value of `everything` with more than k kept
    values at or below it (a count that never falls as the value grows, so bisection finds it)."""
    low, high = 0, len(everything) - 1
    while low < high:
        middle = (low + high) // 2
        value = everything[middle]
        kept = bisect_right(everything, value) - sum(bisect_right(days, value) for days in left_out)
        if kept > k:
            high = middle
        else:
            low = middle + 1
    return everything[low]


def moved(days: list[float], value: float, sign: int) -> bool:
    """Put `value` into the sorted list (sign 1) or take one of it out (−1); False if it was not there."""
    if sign > 0:
        insort(days, value)
        return True
    at = bisect_left(days, value)
    if at == len(days) or days[at] != value:
        return False
    del days[at]
    return True
