"""Buying committees from CRM files: batch upserts of DealRole, and the deals' fit kept current after
an import. Role files are small (a few rows per deal), so the same path serves SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assets.models import BuyerRole
from enablement.buyers.models import DealRole
from enablement.buyers.services import committee_member_key, current_profile, deals_fit_refresh
from enablement.deals.models import Deal, StageChange
from enablement.importers.base import ImportReport
from enablement.importers.writers import deal_pks, upsert_objects, with_known_deal


@dataclass
class RoleRow:
    line: int
    deal_id: str  # the source's deal id
    role: BuyerRole
    contact: str = ""
    is_primary: bool = False
    external_id: str = ""  # the source's id; empty: the natural key `role-slug|contact`

    def __post_init__(self) -> None:
        self.contact, key = committee_member_key(role=self.role, contact=self.contact)
        self.external_id = self.external_id or key


class CommitteeWriter:
    """Writes a file's roles batch by batch. A member sent twice in the file (the same deal and
    external id) is refused at its later rows, as repeated ids are in other files; the deals whose
    committee changed are added to `touched`."""

    def __init__(
        self, *, source: str, file: str, report: ImportReport, touched: set[int], counts_as: str = ""
    ) -> None:
        self.source, self.file, self.report, self.touched = source, file, report, touched
        self.first_seen: dict[tuple[str, str], int] = {}
        # Roles read from another file's rows (HubSpot's deals) are counted on a line of their own.
        self.counts = report.counts(counts_as or file)

    def add(self, rows: list[RoleRow]) -> None:
        deals = deal_pks(self.source, {r.deal_id for r in rows})
        values: dict[tuple[int, str], RoleRow] = {}
        for row in with_known_deal(rows, deals, file=self.file, report=self.report):
            first = self.first_seen.setdefault((row.deal_id, row.external_id), row.line)
            if first != row.line:
                self.report.reject(
                    self.file,
                    row.line,
                    f"role {row.external_id!r} of deal {row.deal_id!r} appears again "
                    f"(first at line {first}).",
                )
                continue
            values[(deals[row.deal_id], row.external_id)] = row
        self._upsert(values)

    def _upsert(self, rows: dict[tuple[int, str], RoleRow]) -> None:
        # Keyed by (deal, external id), not by source: a re-import finds what a rep added by hand.
        existing = {
            (m.deal_id, m.external_id): m
            for m in DealRole.objects.filter(
                deal_id__in={d for d, _ in rows}, external_id__in={k for _, k in rows}
            )
        }
        written = upsert_objects(
            DealRole,
            existing,
            {
                k: {"role_id": r.role.pk, "contact": r.contact, "is_primary": r.is_primary}
                for k, r in rows.items()
            },
            lambda key, values: DealRole(deal_id=key[0], external_id=key[1], source=self.source, **values),
            self.counts,
        )
        self.touched.update(m.deal_id for m in written)


def deals_fit_after_import(*, since: datetime, committee_deals: set[int]) -> int:
    """Re-score the deals an import touched (written, gaining history, or with a changed committee)
    against the approved profile; returns how many. Without an approved profile no deal has a
    score to keep current, and nothing is read at all."""
    if current_profile() is None:
        return 0
    touched = set(committee_deals)
    touched.update(Deal.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    touched.update(StageChange.objects.filter(recorded_at__gte=since).values_list("deal_id", flat=True))
    return deals_fit_refresh(touched)
