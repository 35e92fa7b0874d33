"""The statistics against published worked examples."""

from __future__ import annotations

from statistics import NormalDist

import pytest

from enablement.analytics.stats import (
    Z95,
    Stratum,
    benjamini_hochberg,
    fcr_z,
    mantel_haenszel_rd,
    mantel_haenszel_rd_ci,
    mantel_haenszel_rd_se,
    newcombe,
    two_sided_p,
    wilson,
    z_quantile,
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


def test_the_p_value_is_the_normal_test_of_the_adjusted_lift_with_its_own_standard_error():
    # UCB admissions: rd and Sato's SE worked out in exact fractions from the formula, then
    # p = 2·(1 − Φ(|rd| / se)), which is 0.05 exactly where the 95% interval reaches 0.
    rd, se = mantel_haenszel_rd_se([Stratum(*row) for row in UCB])
    assert round(rd, 5) == -0.01843 and round(se, 5) == 0.01483
    assert two_sided_p(rd, se) == pytest.approx(2 * (1 - NormalDist().cdf(abs(rd) / se)))
    assert two_sided_p(Z95 * se, se) == pytest.approx(0.05)
    low, high = mantel_haenszel_rd_ci([Stratum(*row) for row in UCB])[1:]
    assert (low < 0 < high) and two_sided_p(rd, se) > 0.05
    assert two_sided_p(0.1, 0.0) is None  # no spread, no test


def test_the_false_coverage_rate_multiplier_follows_benjamini_yekutieli():
    # R of m selected: z(1 − 0.05·R / (2m)); none selected is taken as one.
    assert z_quantile(0.975) == pytest.approx(Z95)
    assert fcr_z(selected=3, tested=124) == pytest.approx(NormalDist().inv_cdf(1 - 0.05 * 3 / 248))
    assert fcr_z(selected=0, tested=124) == fcr_z(selected=1, tested=124)
    assert fcr_z(selected=10, tested=10) == pytest.approx(Z95)  # every row selected: the plain 95%


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
    assert two_sided_p(*mantel_haenszel_rd_se(strata)) > 0.5


def test_a_stratum_without_one_group_is_left_out():
    assert mantel_haenszel_rd([Stratum(5, 5, 0, 0)]) is None
    assert mantel_haenszel_rd_se([Stratum(5, 5, 0, 0)]) is None


def test_benjamini_hochberg_matches_r_p_adjust():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") -> 0.02 0.04 0.04 0.02
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([0.9, 0.99]) == pytest.approx([0.99, 0.99])
    assert benjamini_hochberg([]) == []
