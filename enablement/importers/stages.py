"""Which funnel stage a CRM's stage name means: the stage map of the source, then the stages' own names."""

from __future__ import annotations

from pathlib import Path

from enablement.deals.stage_names import STAGE_MAP
from enablement.importers.namemaps import NameResolver, map_load


class StageResolver(NameResolver):
    """Maps a CRM's stage names (or ids) to funnel stages.

    Looks first in the stage map of the source (admin-edited, plus `--stage-map`), then accepts a
    name or slug that is already a funnel stage's, in any case.
    """

    kind = STAGE_MAP


def stage_map_load(path: Path, *, source: str) -> int:
    """Store the mappings of a `crm_stage,stage_slug` CSV for this source; returns how many."""
    return map_load(path, source=source, kind=STAGE_MAP)
