"""Comparing every stored figure of the current run with a full recompute's."""

from __future__ import annotations

from django.db import transaction

from assets.models import Asset, FunnelStage
from enablement.analytics.engine import analytics_compute, current_run
from enablement.analytics.models import (
    AssetStageMetric,
    Exposure,
    FigureState,
    ReadExposure,
    StageEntry,
    StageMetric,
)
from enablement.analytics.states import STAGE, days_unpacked
from tests.enablement.analytics.builders import report

SKIP = {"id", "run", "run_id", "_state"}


def _fields(obj) -> dict:
    return {k: v for k, v in vars(obj).items() if k not in SKIP and not k.startswith("_")}


def snapshot() -> dict:
    run = current_run()
    slugs = dict(Asset.objects.values_list("pk", "slug"))
    stage_slugs = dict(FunnelStage.objects.values_list("pk", "slug"))
    entries = {
        e.pk: (e.deal_id, stage_slugs[e.stage_id])
        for e in StageEntry.objects.filter(run=run).only("pk", "deal_id", "stage_id")
    }
    states = {}
    for stage_id, asset_id, kind, state in FigureState.objects.filter(run=run).values_list(
        "stage_id", "asset_id", "exposure", "state"
    ):
        key = (stage_slugs[stage_id], "<stage>" if asset_id == STAGE else slugs.get(asset_id, asset_id), kind)
        state = dict(state)
        state["days"] = days_unpacked(state["days"])
        assert key not in states, f"two FigureState rows for {key}"
        states[key] = state
    return {
        "report": {**report(), "as_of": None},
        "stage_metrics": {
            stage_slugs[m.stage_id]: _fields(m) | {"stage_id": None}
            for m in StageMetric.objects.filter(run=run)
        },
        "asset_metrics": {
            (slugs[m.asset_id], stage_slugs[m.stage_id], m.exposure): _fields(m)
            | {"asset_id": None, "stage_id": None}
            for m in AssetStageMetric.objects.filter(run=run)
        },
        "counts": {"usage_events": run.usage_events, "deals": run.deals, "availability": run.availability},
        "entries": sorted(
            (
                e.deal_id,
                stage_slugs[e.stage_id],
                e.owner_id,
                e.quarter,
                e.outcome,
                e.days,
                e.amount,
                e.won,
                str(e.entered_at),
                str(e.resolved_at),
            )
            for e in StageEntry.objects.filter(run=run)
        ),
        "exposures": sorted(
            (slugs[x.asset_id], *entries[x.entry_id], bool(x.in_window))
            for x in Exposure.objects.filter(run=run)
        ),
        "reads": sorted(
            (slugs[x.asset_id], *entries[x.entry_id], bool(x.in_window))
            for x in ReadExposure.objects.filter(run=run)
        ),
        "states": states,
    }


class _Rollback(Exception):
    pass


def full_snapshot() -> dict:
    """A full recompute's snapshot, rolled back so the refreshed run stays current."""
    try:
        with transaction.atomic():
            run = analytics_compute()
            assert run.mode == "full"
            data = snapshot()
            raise _Rollback
    except _Rollback:
        pass
    return data


def _diff(a, b, path="", out=None, limit=12):
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a:
                out.append(f"{path}/{k}: missing after the refresh, full run has {b[k]!r}"[:400])
            elif k not in b:
                out.append(f"{path}/{k}: refresh has {a[k]!r}, missing in the full run"[:400])
            else:
                _diff(a[k], b[k], f"{path}/{k}", out, limit)
    elif (
        isinstance(a, list)
        and isinstance(b, list)
        and len(a) == len(b)
        and path.endswith(("assets", "stages"))
    ):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{i}]", out, limit)
    elif isinstance(a, list) and isinstance(b, list) and path.endswith(("entries", "exposures", "reads")):
        sa, sb = set(a), set(b)
        for x in sorted(sa - sb, key=repr)[:4]:
            out.append(f"{path}: only after the refresh {x!r}")
        for x in sorted(sb - sa, key=repr)[:4]:
            out.append(f"{path}: only in the full run {x!r}")
    elif a != b:
        out.append(f"{path}: refresh {a!r} != full {b!r}"[:400])
    return out


def same_as_full(label: str = "") -> dict:
    """Assert the refreshed run equals a full recompute, part by part (figures first)."""
    run = current_run()
    assert run.mode == "refresh", f"{label}: the refresh fell back to a full run"
    refreshed, full = snapshot(), full_snapshot()
    differences = []
    parts = ("report", "asset_metrics", "stage_metrics", "counts", "entries", "exposures", "reads", "states")
    for part in parts:
        differences += _diff(refreshed[part], full[part], part, limit=8)
    assert not differences, f"{label}: differs from a full run:\n" + "\n".join(differences)
    return refreshed
