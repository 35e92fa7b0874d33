"""What the stage and role maps share: a CRM's name looked up in the map of its source, then in the
targets' own slugs and names; one error listing every name nothing maps; loading a map CSV."""

from __future__ import annotations

from pathlib import Path

from enablement.importers.base import ImportFailed, ImportReport, RowInvalid
from enablement.importers.csvfile import CsvFile
from enablement.importers.parse import required
from enablement.name_maps import MapKind, NameLookup

MAX_LISTED_NAMES = 100  # a file of garbage must not make a message of a million names


class NameResolver(NameLookup):
    """A NameLookup that can also refuse a whole file whose names do not all resolve."""

    def require_all(self, seen: dict[str, str]) -> None:
        """`seen` maps each CRM name to where it first appears; every one must be mapped."""
        unmapped = [f"{name!r} ({where})" for name, where in seen.items() if self.get(name) is None]
        if unmapped:
            kind = self.kind
            listed = ", ".join(unmapped[:MAX_LISTED_NAMES])
            if len(unmapped) > MAX_LISTED_NAMES:
                listed += f" and {len(unmapped) - MAX_LISTED_NAMES} more"
            raise ImportFailed(
                f"{len(unmapped)} CRM {kind.noun} name(s) have no {kind.target_label}: {listed}. "
                f"Map them in the admin ({kind.admin_label}) or with --{kind.noun}-map FILE "
                f"(columns {kind.name_column},{kind.slug_column})."
            )


def map_load(path: Path, *, source: str, kind: MapKind) -> int:
    """Store the mappings of a `crm_<noun>,<noun>_slug` CSV for this source; returns how many."""
    targets = {t.slug: t for t in kind.target_model.objects.all()}
    report = ImportReport()
    file = CsvFile.on_disk(path) if path.is_file() else None
    if file is None:
        raise ImportFailed(f"{path}: no such {kind.noun} map file.")
    pairs = []
    max_length = kind.model._meta.get_field(kind.name_column).max_length
    for row in file.rows(required=[kind.name_column, kind.slug_column], report=report):
        slug = row.data[kind.slug_column]
        try:
            crm_name = required(row.data, kind.name_column, max_length)
        except RowInvalid as exc:
            report.reject(file.name, row.line, str(exc))
            continue
        if slug not in targets:
            report.reject(file.name, row.line, f"no {kind.target_label} with slug {slug!r}.")
        else:
            pairs.append((crm_name, targets[slug]))
    if report.error_count:
        raise ImportFailed(
            f"The {kind.noun} map has {report.error_count} error(s); nothing was imported.", report.errors
        )
    for crm_name, target in pairs:
        kind.model.objects.update_or_create(
            source=source, **{kind.name_column: crm_name}, defaults={kind.noun: target}
        )
    return len(pairs)
