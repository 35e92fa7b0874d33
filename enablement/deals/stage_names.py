"""Which funnel stage a CRM's stage name means for a source: the source's stage map (admin-edited,
plus an import's `--stage-map`), then a stage's own slug or name, in any case."""

from __future__ import annotations

from assets.models import FunnelStage
from enablement.deals.models import StageMap
from enablement.name_maps import MapKind, NameLookup

STAGE_MAP = MapKind(
    model=StageMap,
    target_model=FunnelStage,
    noun="stage",
    target_label="funnel stage",
    admin_label="Stage mappings",
)


class StageNames(NameLookup):
    """`StageNames(source).get(name)`: the funnel stage, or None."""

    kind = STAGE_MAP
