"""What every row of a report must satisfy between its verdict and the interval shown beside it
(docs/analytics-method.md, adjusted_lift_fcr_ci), checked row by row from the JSON alone."""

from __future__ import annotations

from statistics import NormalDist

Z975 = NormalDist().inv_cdf(0.975)
ALPHA = 0.05


def excludes_zero(interval: list[float]) -> bool:
    low, high = interval
    return low > 0 or high < 0


def verdicts_agree_with_intervals(rows: list[dict]) -> dict[str, int]:
    """Assert, over the rows of one family (all the rows of one run and segment): a row is
    significant exactly when its shown interval excludes 0, and that interval's half-width over the
    95% one is z(1 − α·max(R, 1) / (2m)) / z(0.975) for the R significant rows of the m tested.
    Returns R and m so the caller can say what was checked."""
    tested = [r for r in rows if r["p_value"] is not None]
    m = len(tested)
    selected = sum(1 for r in tested if r["significant"])
    ratio = NormalDist().inv_cdf(1 - ALPHA * max(selected, 1) / (2 * m)) / Z975 if m else None
    for r in rows:
        name = f"{r['asset']} at {r['stage']} ({r.get('exposure', 'used')})"
        assert r["comparisons"] == m, name
        if r["p_value"] is None:
            assert r["adjusted_lift_fcr_ci"] is None and not r["significant"], name
            assert r["verdict"] == "too little data", name
            continue
        assert r["significant"] == excludes_zero(r["adjusted_lift_fcr_ci"]), name
        assert r["significant"] == (r["q_value"] <= ALPHA), name
        assert r["verdict"] == (
            ("helps" if r["adjusted_lift"] > 0 else "hurts") if r["significant"] else "no evidence"
        ), name
        fcr_low, fcr_high = r["adjusted_lift_fcr_ci"]
        low, high = r["adjusted_lift_ci"]
        # Each end is rounded to 4 places in the JSON: the ratio holds to that rounding.
        assert abs((fcr_high - fcr_low) - ratio * (high - low)) <= 2e-4 * (1 + ratio), name
        assert abs((fcr_low + fcr_high) / 2 - r["adjusted_lift"]) <= 1.5e-4, name
    return {"selected": selected, "tested": m}
