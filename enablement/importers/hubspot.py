"""A HubSpot deals export: one row per deal, with "Date entered <stage> (<pipeline>)" columns from
which the stage history is rebuilt. Headers are HubSpot's property labels; "Deal Stage" values may
be labels or internal ids, and both go through the stage map. A buying-role column, where exported,
gives each deal's buying committee (roles only: the export does not say which contact holds which),
and a "Deal Score" or "HubSpot Score" column (0–100) its qualification's CRM score (0–10).
"""

from __future__ import annotations

import re
from pathlib import Path

from enablement.choices import DealSource
from enablement.deals.history import stage_change_key
from enablement.importers.base import ErrorsOnly, ImportFailed, ImportReport, Progress, RowInvalid, batches
from enablement.importers.committee import CommitteeWriter, RoleRow
from enablement.importers.csvfile import CsvFile, UniqueColumn
from enablement.importers.parse import optional, parse_amount, parse_currency, parse_when, required
from enablement.importers.people import People
from enablement.importers.qualification import QualificationRow, QualificationWriter, crm_score_from_percent
from enablement.importers.roles import RoleResolver, role_names_seen
from enablement.importers.stages import StageResolver
from enablement.importers.writers import (
    AccountRow,
    DealRow,
    HistoryRow,
    write_accounts,
    write_deals,
    write_history,
)

SOURCE = DealSource.HUBSPOT
COLUMNS = ["Record ID", "Deal Name", "Deal Stage", "Create Date"]
RECORD_ID = UniqueColumn("Record ID", "Record ID")  # one row per deal; a second would overwrite it
# `Date entered Contract Sent (Sales Pipeline)`, or with the label in quotes as HubSpot writes it.
DATE_ENTERED = re.compile(r"^Date entered (?P<label>.+)$")
STAGE_AND_PIPELINE = re.compile(r"^(?P<stage>.+?)(?: \((?P<pipeline>[^()]+)\))?$")
OWNER_WITH_EMAIL = re.compile(r"^(?P<name>.*?)\s*[(<](?P<email>[^()<>@\s]+@[^()<>\s]+)[)>]$")
# The deal's buying roles, `;`-separated, under the names HubSpot exports give the column (any case).
ROLE_COLUMNS = {"buying role", "buying roles", "associated contact buying roles", "deal roles"}
# The deal's score, 0–100 (HubSpot's score property as exports label it, any case); the first one found.
SCORE_COLUMNS = {"deal score", "hubspot score"}


def open_files(path: Path) -> dict[str, CsvFile]:
    if path.is_dir():
        raise ImportFailed(f"{path} is a folder; a HubSpot deals export is one CSV file.")
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file (a HubSpot deals export is one CSV file).")
    return {path.name: CsvFile.on_disk(path)}


def _stage_columns(file: CsvFile, header: list[str]) -> list[tuple[str, str, str | None]]:
    """(column, stage name, pipeline or None) for each "Date entered …" column."""
    found = []
    for column in header:
        match = DATE_ENTERED.match(column)
        if match:
            parts = STAGE_AND_PIPELINE.match(match["label"].strip().strip('"').strip())
            if parts is None:
                raise ImportFailed(f"{file.name}:1: column {column!r} names no stage.")
            found.append((column, parts["stage"], parts["pipeline"]))
    return found


def run(files: dict[str, CsvFile], report: ImportReport, progress: Progress | None) -> None:
    (file,) = files.values()
    resolver = StageResolver(SOURCE)
    header, seen = None, {}
    for row in file.rows(required=COLUMNS, report=ImportReport()):
        if header is None:
            header = list(row.data)
            for column, stage, _ in _stage_columns(file, header):
                seen.setdefault(stage, f"{file.name}:1 column {column!r}")
        seen.setdefault(row.data["Deal Stage"], f"{file.name}:{row.line}")
    resolver.require_all({k: v for k, v in seen.items() if k})
    stage_columns = _stage_columns(file, header or [])
    role_columns = [c for c in header or [] if c.lower() in ROLE_COLUMNS]
    score_column = next((c for c in header or [] if c.lower() in SCORE_COLUMNS), None)
    roles = _check_roles(file, role_columns)
    people = People()
    report.counts(file.name)
    committee, qualification = _writers(file, report, role_columns, score_column)
    for batch in batches(file.rows(required=COLUMNS, report=report, progress=progress, unique=RECORD_ID)):
        deals, accounts, history, members, scores = [], [], [], [], []
        for row in batch:
            try:
                deal, account, changes = _parse(row.line, row.data, stage_columns, resolver, people)
                score = crm_score_from_percent(row.data[score_column], score_column) if score_column else None
            except RowInvalid as exc:
                report.reject(file.name, row.line, str(exc))
                continue
            deals.append(deal)
            history.extend(changes)
            members.extend(_committee(row.line, deal.external_id, row.data, role_columns, roles))
            if account:
                accounts.append(account)
            if score is not None:  # an empty score leaves the deal's qualification as it is
                scores.append(QualificationRow(row.line, deal.external_id, {"crm_score": score}))
        account_pks = write_accounts(accounts, source=SOURCE)
        write_deals(deals, source=SOURCE, counts=report.counts(file.name), account_pks=account_pks)
        # History rows come from deal rows, so their counts are not the file's rows.
        write_history(history, source=SOURCE, file=file.name, report=ErrorsOnly(report))
        if committee:
            committee.add(members)
        if qualification:
            qualification.add(scores)


def _writers(
    file: CsvFile, report: ImportReport, role_columns: list[str], score_column: str | None
) -> tuple[CommitteeWriter | None, QualificationWriter | None]:
    """The writers of the optional columns this export has; exports without a buying-role or a score
    column (most) get no line of counts for it."""
    committee = (
        CommitteeWriter(
            source=SOURCE,
            file=file.name,
            report=report,
            touched=report.committee_deals,
            counts_as=f"buying roles ({file.name})",
        )
        if role_columns
        else None
    )
    qualification = (
        QualificationWriter(
            source=SOURCE, file=file.name, report=report, counts_as=f"qualification ({file.name})"
        )
        if score_column
        else None
    )
    return committee, qualification


def _check_roles(file: CsvFile, role_columns: list[str]) -> RoleResolver:
    """The role resolver, once every role name in the buying-role columns is known to map."""
    resolver = RoleResolver(SOURCE)
    if role_columns:
        resolver.require_all(role_names_seen(file, COLUMNS, role_columns, many=True))
    return resolver


def _committee(line: int, deal_id: str, d: dict, role_columns: list[str], roles: RoleResolver) -> list:
    """One member per buying role the deal's row names; two names meaning one role make one member."""
    found = {}
    for column in role_columns:
        for name in d[column].split(";"):
            if name.strip():
                role = roles.get(name)
                found.setdefault(role.slug, RoleRow(line=line, deal_id=deal_id, role=role))
    return list(found.values())


def _owner(value: str, people: People):
    if not value:
        return None
    match = OWNER_WITH_EMAIL.match(value)
    if match:
        return people.by_email(match["email"], first_name=match["name"].split(" ")[0][:150])
    if "@" in value:
        return people.by_email(value)
    first, _, last = value.partition(" ")
    return people.by_username(
        f"hubspot-{value.lower().replace(' ', '.')}", first_name=first[:150], last_name=last[:150]
    )


def _parse(line: int, d: dict, stage_columns, resolver: StageResolver, people: People):
    deal_id = required(d, "Record ID", 100)
    created_at = parse_when(d["Create Date"], "Create Date")
    if d.get("Close Date"):
        parse_when(d["Close Date"], "Close Date")
    company = optional(d, "Associated Company") or optional(d, "Company name")
    deal = DealRow(
        line=line,
        external_id=deal_id,
        name=required(d, "Deal Name"),
        owner=_owner(d.get("Deal owner", ""), people),
        amount=parse_amount(d.get("Amount", ""), "Amount"),
        currency=parse_currency(d.get("Currency", "")),
        created_at=created_at,
        account_id=company or None,
    )
    account = AccountRow(external_id=company, name=company) if company else None
    pipeline = d.get("Pipeline", "")
    changes = []
    for column, stage_name, column_pipeline in stage_columns:
        if not d.get(column) or (column_pipeline and pipeline and column_pipeline != pipeline):
            continue
        stage, entered_at = resolver.get(stage_name), parse_when(d[column], column)
        changes.append(
            HistoryRow(
                line=line,
                deal_id=deal_id,
                stage=stage,
                entered_at=entered_at,
                key=stage_change_key(stage, entered_at),
            )
        )
    if not changes:
        if not d["Deal Stage"]:
            raise RowInvalid('Deal Stage is empty and no "Date entered" column has a date.')
        # No stage dates exported: the current stage, from the deal's creation, is all we know.
        stage = resolver.get(d["Deal Stage"])
        changes.append(
            HistoryRow(
                line=line,
                deal_id=deal_id,
                stage=stage,
                entered_at=created_at,
                key=stage_change_key(stage, created_at),
            )
        )
    return deal, account, changes
