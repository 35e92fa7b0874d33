"""Which funnel stage a CRM's stage name means: the stage map of the source, then the stages' own names."""

from __future__ import annotations

from pathlib import Path

from assets.models import FunnelStage
from enablement.deals.models import StageMap
from enablement.importers.base import ImportFailed, ImportReport, RowInvalid
from enablement.importers.csvfile import CsvFile
from enablement.importers.parse import required

MAX_LISTED_STAGES = 100  # a file of garbage must not make a message of a million names


class StageResolver:
    """Maps a CRM's stage names (or ids) to funnel stages.

    Looks first in the stage map of the source (admin-edited, plus `--stage-map`), then accepts a
    name or slug that is already a funnel stage's, in any case.
    """

    def __init__(self, source: str) -> None:
        stages = list(FunnelStage.objects.all())
        self.known = {s.slug.lower(): s for s in stages} | {s.name.lower(): s for s in stages}
        self.mapped = {
            m.crm_stage.lower(): m.stage
            for m in StageMap.objects.filter(source=source).select_related("stage")
        }

    def get(self, name: str) -> FunnelStage | None:
        key = name.strip().lower()
        return self.mapped.get(key) or self.known.get(key)

    def require_all(self, seen: dict[str, str]) -> None:
        """`seen` maps each stage name to where it first appears; every one must be mapped."""
        unmapped = [f"{name!r} ({where})" for name, where in seen.items() if self.get(name) is None]
        if unmapped:
            listed = ", ".join(unmapped[:MAX_LISTED_STAGES])
            if len(unmapped) > MAX_LISTED_STAGES:
                listed += f" and {len(unmapped) - MAX_LISTED_STAGES} more"
            raise ImportFailed(
                f"{len(unmapped)} CRM stage name(s) have no funnel stage: {listed}. "
                "Map them in the admin (Stage mappings) or with --stage-map FILE "
                "(columns crm_stage,stage_slug)."
            )


def stage_map_load(path: Path, *, source: str) -> int:
    """Store the mappings of a `crm_stage,stage_slug` CSV for this source; returns how many."""
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    report = ImportReport()
    file = CsvFile.on_disk(path) if path.is_file() else None
    if file is None:
        raise ImportFailed(f"{path}: no such stage map file.")
    pairs = []
    for row in file.rows(required=["crm_stage", "stage_slug"], report=report):
        slug = row.data["stage_slug"]
        try:
            crm_stage = required(row.data, "crm_stage", StageMap._meta.get_field("crm_stage").max_length)
        except RowInvalid as exc:
            report.reject(file.name, row.line, str(exc))
            continue
        if slug not in stages:
            report.reject(file.name, row.line, f"no funnel stage with slug {slug!r}.")
        else:
            pairs.append((crm_stage, stages[slug]))
    if report.error_count:
        raise ImportFailed(
            f"The stage map has {report.error_count} error(s); nothing was imported.", report.errors
        )
    for crm_stage, stage in pairs:
        StageMap.objects.update_or_create(source=source, crm_stage=crm_stage, defaults={"stage": stage})
    return len(pairs)
