"""The medians a refresh moves by difference: the median of a stage's days less the days of the deals
that used an asset (and of those not comparable) is the median of what is left, whatever the lists."""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from enablement.analytics.medians import median, median_without, moved

days = st.lists(st.sampled_from([0.5, 1.0, 1.25, 2.0, 3.0, 3.0, 7.5, 10.0, 21.0]), max_size=40)


@given(days, st.data())
def test_the_median_without_some_days_is_the_median_of_the_rest(everything, data):
    everything = sorted(everything)
    picked = data.draw(st.lists(st.booleans(), min_size=len(everything), max_size=len(everything)))
    other = data.draw(st.lists(st.booleans(), min_size=len(everything), max_size=len(everything)))
    used = [d for d, p in zip(everything, picked, strict=True) if p]
    left_out = [d for d, p, o in zip(everything, picked, other, strict=True) if o and not p]
    rest = [d for d, p, o in zip(everything, picked, other, strict=True) if not p and not o]
    expected = statistics.median(rest) if rest else None
    assert median_without(everything, used, left_out) == expected
    assert median(used) == (statistics.median(used) if used else None)


def test_days_move_in_and_out_of_a_sorted_list():
    kept = [1.0, 2.0, 2.0, 5.0]
    assert moved(kept, 3.0, 1) and kept == [1.0, 2.0, 2.0, 3.0, 5.0]
    assert moved(kept, 2.0, -1) and kept == [1.0, 2.0, 3.0, 5.0]
    assert not moved(kept, 4.0, -1) and kept == [1.0, 2.0, 3.0, 5.0]  # not there: told, list unchanged
    assert median_without([1.0, 2.0], [1.0, 2.0]) is None
