"""The report's objects (docs/analytics-method.md), from the stored aggregates of the current run."""

from __future__ import annotations

import io

from django.db.models import QuerySet

from config.csv_export import SafeCsvWriter
from enablement.analytics.engine import current_run
from enablement.analytics.models import AnalyticsRun, AssetStageMetric, StageMetric


def _r(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def _bound(value: float) -> float:
    """An interval's end to 4 places, but never rounded to 0 or across it: whether an interval
    excludes 0 is what its verdict rests on, and the JSON must say the same."""
    rounded = round(value, 4)
    return rounded if rounded != 0 or value == 0 else float(f"{value:.2g}")


def _interval(low: float | None, high: float | None) -> list[float] | None:
    return None if low is None or high is None else [_bound(low), _bound(high)]


def stage_object(m: StageMetric) -> dict:
    return {
        "stage": m.stage.slug,
        "entered": m.entered,
        "advanced": m.advanced,
        "lost": m.lost,
        "open": m.open,
        "conversion_rate": _r(m.conversion_rate),
        "median_days": _r(m.median_days, 2),
        "landmark_days": m.landmark_days,
    }


def asset_object(m: AssetStageMetric) -> dict:
    def group(prefix: str) -> dict:
        return {
            "deals": getattr(m, f"{prefix}_deals"),
            "advanced": getattr(m, f"{prefix}_advanced"),
            "lost": getattr(m, f"{prefix}_lost"),
            "open": getattr(m, f"{prefix}_open"),
            "rate": _r(getattr(m, f"{prefix}_rate")),
            "median_days": _r(getattr(m, f"{prefix}_median_days"), 2),
        }

    return {
        "asset": m.asset.slug,
        "stage": m.stage.slug,
        "exposure": m.exposure,
        "exposed": group("exposed"),
        "unexposed": group("unexposed"),
        "lift": _r(m.lift),
        "lift_ci": _interval(m.lift_low, m.lift_high),
        "adjusted_lift": _r(m.adjusted_lift),
        "adjusted_lift_ci": _interval(m.adjusted_low, m.adjusted_high),
        "adjusted_lift_fcr_ci": _interval(m.adjusted_fcr_low, m.adjusted_fcr_high),
        "comparisons": m.comparisons,
        "p_value": m.p_value,
        "q_value": m.q_value,
        "significant": m.significant,
        "verdict": m.verdict,
        "influenced_amount": float(m.influenced_amount),
        "won_amount": float(m.won_amount),
        "used_only_after_landmark": m.later_deals,
    }


def stage_metrics(run: AnalyticsRun | None) -> QuerySet[StageMetric]:
    return StageMetric.objects.filter(run=run).select_related("stage").order_by("stage__order")


def asset_metrics(run: AnalyticsRun | None, *, stage: str | None = None) -> QuerySet[AssetStageMetric]:
    qs = (
        AssetStageMetric.objects.filter(run=run)
        .select_related("asset", "stage")
        .order_by("stage__order", "asset__slug", "-exposure")  # used, then read
    )
    return qs.filter(stage__slug=stage) if stage else qs


def report(*, stage: str | None = None) -> dict:
    run = current_run()
    stages = stage_metrics(run)
    if stage:
        stages = stages.filter(stage__slug=stage)
    return {
        "as_of": run.computed_at.isoformat().replace("+00:00", "Z") if run else None,
        "stages": [stage_object(m) for m in stages],
        "assets": [asset_object(m) for m in asset_metrics(run, stage=stage)],
    }


ASSET_COLUMNS = [
    "asset",
    "stage",
    "exposed_deals",
    "exposed_advanced",
    "exposed_lost",
    "exposed_open",
    "exposed_rate",
    "exposed_median_days",
    "unexposed_deals",
    "unexposed_advanced",
    "unexposed_lost",
    "unexposed_open",
    "unexposed_rate",
    "unexposed_median_days",
    "lift",
    "lift_ci_low",
    "lift_ci_high",
    "adjusted_lift",
    "adjusted_lift_ci_low",
    "adjusted_lift_ci_high",
    "p_value",
    "q_value",
    "significant",
    "verdict",
    "influenced_amount",
    "won_amount",
    "used_only_after_landmark",
    "adjusted_lift_fcr_ci_low",
    "adjusted_lift_fcr_ci_high",
    "comparisons",
    "exposure",
]


def assets_csv(rows: list[dict]) -> str:
    """One line per (asset, stage), the nested groups flattened."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(ASSET_COLUMNS)
    for row in rows:
        flat = {
            **row,
            **{f"exposed_{k}": v for k, v in row["exposed"].items()},
            **{f"unexposed_{k}": v for k, v in row["unexposed"].items()},
        }
        for name in ("lift_ci", "adjusted_lift_ci", "adjusted_lift_fcr_ci"):
            flat[f"{name}_low"], flat[f"{name}_high"] = row.get(name) or (None, None)
        writer.writerow(["" if flat.get(c) is None else flat[c] for c in ASSET_COLUMNS])
    return out.getvalue()
