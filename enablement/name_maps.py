"""A CRM's names (stages, contact roles) looked up for one source: its name map first, then the
targets' own slugs and names. Shared by the importers (a whole file at a time) and the API (one
name), so both resolve a name alike."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class MapKind:
    """One kind of CRM name map: its model, its CSV columns and the words its messages use."""

    model: type[models.Model]  # StageMap, RoleMap
    target_model: type[models.Model]  # FunnelStage, BuyerRole
    noun: str  # "stage": CSV columns crm_stage,stage_slug and the option --stage-map
    target_label: str  # "funnel stage"
    admin_label: str  # "Stage mappings"

    @property
    def name_column(self) -> str:
        return f"crm_{self.noun}"

    @property
    def slug_column(self) -> str:
        return f"{self.noun}_slug"


class NameLookup:
    """Maps a CRM's names to targets: the source's map (admin-edited, plus the map file given to an
    import) first, then a target's own slug or name. Subclasses name their MapKind and may compare
    names more loosely (`key`). The importers' resolvers and the API's single lookups share it, so a
    name means the same target on every path."""

    kind: MapKind

    def __init__(self, source: str) -> None:
        targets = list(self.kind.target_model.objects.all())
        self.known = {self.key(t.slug): t for t in targets} | {self.key(t.name): t for t in targets}
        target_field = self.kind.noun
        self.mapped = {
            self.key(getattr(m, self.kind.name_column)): getattr(m, target_field)
            for m in self.kind.model.objects.filter(source=source).select_related(target_field)
        }

    @staticmethod
    def key(name: str) -> str:
        return name.strip().lower()

    def get(self, name: str):
        key = self.key(name)
        return self.mapped.get(key) or self.known.get(key)
