"""Which buyer role a CRM's contact-role name means: the role map of the source, then the roles' own
slugs and names, then the names Salesforce and HubSpot ship with, where the default role exists."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from assets.models import BuyerRole
from enablement.buyers.models import RoleMap
from enablement.importers.base import ImportReport
from enablement.importers.csvfile import CsvFile
from enablement.importers.namemaps import MapKind, NameResolver, map_load
from enablement.importers.parse import loose_key

ROLE_MAP = MapKind(
    model=RoleMap,
    target_model=BuyerRole,
    noun="role",
    target_label="buyer role",
    admin_label="Role mappings",
)

# The standard values of Salesforce's OpportunityContactRole.Role and of HubSpot's buying role
# property, by the slug of the default buyer role each means. Used only where that slug exists, and
# after the map, so an admin's mapping always wins. Influencer, Other, Blocker… are left to the map:
# they do not say which buyer role the person is.
COMMON_ROLE_NAMES = {
    "Business User": "end-user",
    "Decision Maker": "economic-buyer",
    "Economic Buyer": "economic-buyer",
    "Economic Decision Maker": "economic-buyer",
    "Evaluator": "technical-evaluator",
    "Technical Buyer": "technical-evaluator",
    "Executive Sponsor": "executive-sponsor",
    "Budget Holder": "economic-buyer",
    "Champion": "champion",
    "End User": "end-user",
}


class RoleResolver(NameResolver):
    """Maps a CRM's role names to buyer roles, in any case and with `-`, `_` and a space alike."""

    kind = ROLE_MAP

    def __init__(self, source: str) -> None:
        super().__init__(source)
        by_slug = {r.slug: r for r in self.known.values()}
        self.common = {
            self.key(name): by_slug[slug] for name, slug in COMMON_ROLE_NAMES.items() if slug in by_slug
        }

    @staticmethod
    def key(name: str) -> str:
        return loose_key(name)

    def get(self, name: str) -> BuyerRole | None:
        return super().get(name) or self.common.get(self.key(name))


def role_names_seen(
    file: CsvFile, required: Iterable[str], columns: list[str], *, many: bool = False
) -> dict[str, str]:
    """{role name: where it first appears} over a file's `columns`, one spelling per name as the
    resolver compares them. With `many`, a cell holds several `;`-separated names and the place
    names the column too. Rows are read again later for real, so their errors are not reported here."""
    seen: dict[str, str] = {}
    keys: set[str] = set()
    for row in file.rows(required=required, report=ImportReport()):
        for column in columns:
            value = row.data.get(column, "")
            for name in (n.strip() for n in (value.split(";") if many else [value])):
                # An empty name is the row's error (or no role), reported when the row is read.
                if name and loose_key(name) not in keys:
                    keys.add(loose_key(name))
                    seen[name] = f"{file.name}:{row.line}" + (f" column {column!r}" if many else "")
    return seen


def role_map_load(path: Path, *, source: str) -> int:
    """Store the mappings of a `crm_role,role_slug` CSV for this source; returns how many."""
    return map_load(path, source=source, kind=ROLE_MAP)
