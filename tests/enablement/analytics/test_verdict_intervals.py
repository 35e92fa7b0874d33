"""The verdict and the interval beside it never contradict each other: a row is significant exactly
when its interval adjusted for the rows tested (Benjamini–Yekutieli) excludes 0."""

from __future__ import annotations

import pytest

from enablement.analytics import stats
from enablement.analytics.comparison import judge
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import AssetStageMetric
from enablement.choices import Verdict
from tests.enablement.analytics.builders import planted_world, report
from tests.enablement.analytics.intervals import verdicts_agree_with_intervals


def row_tested(rd: float, se: float) -> AssetStageMetric:
    half = stats.Z95 * se
    m = AssetStageMetric(adjusted_lift=rd, adjusted_low=rd - half, adjusted_high=rd + half)
    m.p_value, m.enough = stats.two_sided_p(rd, se), True
    return m


def test_a_row_whose_95_interval_excludes_zero_but_which_is_not_significant_shows_an_interval_with_zero():
    # Twenty rows: one at z = 2.5 (p 0.012: its 95% interval excludes 0), the others at z = 0.5.
    # Benjamini–Hochberg selects none (0.012 × 20 > 0.05), so the shown interval must include 0.
    rows = [row_tested(0.15, 0.06)] + [row_tested(0.01, 0.02) for _ in range(19)]
    judge(rows)
    first = rows[0]
    assert first.adjusted_low > 0 and first.verdict == Verdict.NO_EVIDENCE and not first.significant
    assert first.adjusted_fcr_low < 0 < first.adjusted_fcr_high
    assert {m.comparisons for m in rows} == {20}
    # With no row selected the multiplier is that of one selected: z(1 − 0.05 / 40).
    widen = stats.fcr_z(selected=1, tested=20) / stats.Z95
    assert first.adjusted_fcr_high - first.adjusted_fcr_low == pytest.approx(
        widen * (first.adjusted_high - first.adjusted_low)
    )


def test_selected_rows_have_intervals_clear_of_zero_and_the_rest_include_it():
    rows = [row_tested(0.2, 0.04), row_tested(-0.18, 0.05)] + [row_tested(0.02, 0.03) for _ in range(8)]
    judge(rows)
    assert [m.verdict for m in rows[:2]] == [Verdict.HELPS, Verdict.HURTS]
    assert rows[0].adjusted_fcr_low > 0 and rows[1].adjusted_fcr_high < 0
    assert all(m.adjusted_fcr_low < 0 < m.adjusted_fcr_high for m in rows[2:])


def test_rows_without_enough_data_carry_no_interval_and_are_not_counted_as_comparisons():
    thin = AssetStageMetric(adjusted_lift=0.3, adjusted_low=0.1, adjusted_high=0.5)
    thin.p_value, thin.enough = 0.001, False
    rows = [thin, row_tested(0.02, 0.03)]
    judge(rows)
    assert thin.verdict == Verdict.TOO_LITTLE and thin.adjusted_fcr_low is None and thin.p_value is None
    assert thin.comparisons == 1 and rows[1].comparisons == 1


@pytest.mark.django_db
def test_every_row_of_a_planted_report_agrees_with_its_interval():
    planted_world(seed=11)
    analytics_compute()
    rows = report()["assets"]
    checked = verdicts_agree_with_intervals(rows)
    verdicts = {r["asset"]: r["verdict"] for r in rows}
    assert verdicts["lifts"] == "helps" and verdicts["hurts"] == "hurts"
    assert checked["selected"] >= 2 and checked["tested"] >= 22
