"""The statistics against published worked examples."""

from __future__ import annotations

import pytest

from enablement.analytics.stats import (
    Stratum,
    benjamini_hochberg,
    cmh_test,
    mantel_haenszel_rd,
    newcombe,
    wilson,
)

# UC Berkeley admissions 1973 by department (R's UCBAdmissions):
# men admitted, men rejected, women admitted, women rejected.
UCB = [
    (512, 313, 89, 19),
    (353, 207, 17, 8),
    (120, 205, 202, 391),
    (138, 279, 131, 244),
    (53, 138, 94, 299),
    (22, 351, 24, 317),
]


def test_wilson_interval_matches_newcombe_1998_example():
    # Newcombe (1998), Statistics in Medicine 17:857, example 81/263: 0.2553 to 0.3662.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_wilson_interval_of_zero_successes_starts_at_zero():
    low, high = wilson(0, 10)
    assert low == 0.0 and round(high, 4) == 0.2775  # Newcombe (1998) example 0/10


def test_newcombe_difference_interval_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, table II, 56/70 − 48/80, method 10: 0.0524 to 0.3339.
    low, high = newcombe(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_cmh_test_matches_r_mantelhaen_on_ucb_admissions():
    # R: mantelhaen.test(UCBAdmissions) -> Mantel-Haenszel X-squared = 1.4269, df = 1, p-value = 0.2323
    statistic, p = cmh_test([Stratum(*row) for row in UCB])
    assert round(statistic, 4) == 1.4269 and round(p, 4) == 0.2323
    uncorrected, p_uncorrected = cmh_test([Stratum(*row) for row in UCB], correction=False)
    assert round(uncorrected, 4) == 1.5246 and round(p_uncorrected, 4) == 0.2169


def test_mh_risk_difference_is_the_common_difference_when_strata_agree():
    strata = [Stratum(60, 40, 40, 60), Stratum(30, 70, 10, 90), Stratum(9, 1, 7, 3)]
    assert mantel_haenszel_rd(strata) == pytest.approx(0.2)


def test_mh_risk_difference_weights_strata_by_size_as_greenland_robins():
    # By hand: weights n1*n0/N = 50*50/100 = 25 and 10*90/100 = 9; differences 0.2 and 0.5.
    strata = [Stratum(30, 20, 20, 30), Stratum(8, 2, 27, 63)]
    assert mantel_haenszel_rd(strata) == pytest.approx((25 * 0.2 + 9 * 0.5) / 34)


def test_strong_reps_using_more_content_do_not_make_it_look_effective():
    # Crude: 74/100 exposed vs 26/100 unexposed; within each rep the rates are equal (0.8 and 0.2).
    strata = [Stratum(72, 18, 8, 2), Stratum(2, 8, 18, 72)]
    assert mantel_haenszel_rd(strata) == pytest.approx(0.0)
    assert cmh_test(strata)[1] > 0.5


def test_a_stratum_without_one_group_is_left_out():
    assert mantel_haenszel_rd([Stratum(5, 5, 0, 0)]) is None
    assert cmh_test([Stratum(5, 5, 0, 0)]) is None


def test_benjamini_hochberg_matches_r_p_adjust():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") -> 0.02 0.04 0.04 0.02
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([0.9, 0.99]) == pytest.approx([0.99, 0.99])
    assert benjamini_hochberg([]) == []
