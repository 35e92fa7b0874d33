"""A Salesforce Data Export (folder or zip): Opportunity, OpportunityHistory, Account, User, and the
buying committees from OpportunityContactRole (with the contacts' names from Contact, when exported).

Two layouts are seen in the wild and both load: every value quoted, booleans "0"/"1" and times
`2018-10-13 17:16:45`; or unquoted, booleans 1/empty and times `2024-01-22T16:14:25.000+0000`.
Columns the product does not use are ignored.
"""

from __future__ import annotations

from pathlib import Path

from enablement.choices import DealSource
from enablement.deals.models import Account
from enablement.importers.base import ErrorsOnly, ImportFailed, ImportReport, Progress, RowInvalid, batches
from enablement.importers.committee import CommitteeWriter, RoleRow
from enablement.importers.csvfile import CsvFile, UniqueColumn, find_files
from enablement.importers.parse import (
    optional,
    parse_amount,
    parse_bool,
    parse_currency,
    parse_when,
    required,
)
from enablement.importers.people import People
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

SOURCE = DealSource.SALESFORCE
OPPORTUNITY, HISTORY, ACCOUNT, USER = "Opportunity.csv", "OpportunityHistory.csv", "Account.csv", "User.csv"
CONTACT_ROLE, CONTACT = "OpportunityContactRole.csv", "Contact.csv"
COLUMNS = {
    OPPORTUNITY: ["Id", "Name", "StageName", "CreatedDate"],
    HISTORY: ["OpportunityId", "StageName", "CreatedDate"],
    ACCOUNT: ["Id", "Name"],
    USER: ["Id", "Email"],
    CONTACT_ROLE: ["Id", "OpportunityId", "Role"],
    CONTACT: ["Id"],
}
# Salesforce ids are unique; a repeated one would silently overwrite the record of the first row.
UNIQUE = {name: UniqueColumn("Id", "Id") for name in (OPPORTUNITY, ACCOUNT, USER, CONTACT_ROLE, CONTACT)}
# History rows without an Id are keyed by `StageName@time`, which must fit StageChange.external_id.
MAX_STAGE_NAME = 200


def open_files(path: Path) -> dict[str, CsvFile]:
    files = find_files(path, COLUMNS)
    if OPPORTUNITY not in files:
        raise ImportFailed(f"{path} has no {OPPORTUNITY}; is it a Salesforce Data Export?")
    return files


def _deleted(data: dict[str, str]) -> bool:
    return parse_bool(data.get("IsDeleted", ""), "IsDeleted")


def check_stages(files: dict[str, CsvFile], resolver: StageResolver, report: ImportReport) -> None:
    """Every stage name in the export must be mapped before anything is written."""
    seen: dict[str, str] = {}
    for name in (OPPORTUNITY, HISTORY):
        if name in files:
            for row in files[name].rows(required=COLUMNS[name], report=ImportReport()):
                if row.data["StageName"]:  # an empty one is the row's error, reported when it is read
                    seen.setdefault(row.data["StageName"], f"{name}:{row.line}")
    resolver.require_all(seen)


def run(files: dict[str, CsvFile], report: ImportReport, progress: Progress | None) -> None:
    resolver = StageResolver(SOURCE)
    check_stages(files, resolver, report)
    roles = RoleResolver(SOURCE)
    if CONTACT_ROLE in files:
        roles.require_all(role_names_seen(files[CONTACT_ROLE], COLUMNS[CONTACT_ROLE], ["Role"]))
    people = People()
    owners = _users(files[USER], report, progress, people) if USER in files else {}
    if ACCOUNT in files:
        _accounts(files[ACCOUNT], report, progress)
    _opportunities(
        files[OPPORTUNITY], report, progress, people, owners, resolver, history_in_export=HISTORY in files
    )
    if HISTORY in files:
        _history(files[HISTORY], report, progress, resolver)
    if CONTACT_ROLE in files:
        _contact_roles(files, report, progress, roles)


def _users(file: CsvFile, report: ImportReport, progress, people: People) -> dict:
    owners = {}
    counts = report.counts(file.name)
    for row in file.rows(required=COLUMNS[USER], report=report, progress=progress, unique=UNIQUE[USER]):
        d = row.data
        try:
            if not d["Email"]:
                raise RowInvalid("Email is empty.")
            owners[d["Id"]] = people.by_email(
                d["Email"], first_name=d.get("FirstName", "")[:150], last_name=d.get("LastName", "")[:150]
            )
            counts.unchanged += 1
        except RowInvalid as exc:
            report.reject(file.name, row.line, str(exc))
    return owners


def _accounts(file: CsvFile, report: ImportReport, progress) -> None:
    rows = file.rows(required=COLUMNS[ACCOUNT], report=report, progress=progress, unique=UNIQUE[ACCOUNT])
    for batch in batches(rows):
        good = []
        for row in batch:
            d = row.data
            try:
                if _deleted(d):
                    continue
                region = ", ".join(p for p in (d.get("BillingState", ""), d.get("BillingCountry", "")) if p)
                good.append(
                    AccountRow(
                        external_id=required(d, "Id"),
                        name=required(d, "Name"),
                        industry=d.get("Industry", ""),
                        size=d.get("NumberOfEmployees", ""),
                        region=region,
                    )
                )
            except RowInvalid as exc:
                report.reject(file.name, row.line, str(exc))
        write_accounts(good, source=SOURCE, counts=report.counts(file.name))


def _opportunities(
    file: CsvFile,
    report: ImportReport,
    progress,
    people: People,
    owners: dict,
    resolver: StageResolver,
    *,
    history_in_export: bool,
) -> None:
    name = file.name
    rows = file.rows(
        required=COLUMNS[OPPORTUNITY], report=report, progress=progress, unique=UNIQUE[OPPORTUNITY]
    )
    for batch in batches(rows):
        deals, history = [], []
        for row in batch:
            try:
                deal = _opportunity(row, people, owners)
            except RowInvalid as exc:
                report.reject(name, row.line, str(exc))
                continue
            if deal is None:  # deleted in Salesforce
                continue
            deals.append(deal)
            if not history_in_export:
                # Without OpportunityHistory the current stage is the only history there is.
                try:
                    history.append(_current_stage(row, deal, resolver))
                except RowInvalid as exc:
                    report.reject(name, row.line, str(exc))
        account_ids = {d.account_id for d in deals if d.account_id}
        account_pks = dict(
            Account.objects.filter(source=SOURCE, external_id__in=account_ids).values_list(
                "external_id", "pk"
            )
        )
        write_deals(deals, source=SOURCE, counts=report.counts(name), account_pks=account_pks)
        if history:
            write_history(history, source=SOURCE, file=name, report=ErrorsOnly(report))


def _opportunity(row, people: People, owners: dict) -> DealRow | None:
    """The deal of an Opportunity row, or None for a deleted one; RowInvalid names a bad value."""
    d = row.data
    if _deleted(d):
        return None
    parse_bool(d.get("IsClosed", ""), "IsClosed")
    parse_bool(d.get("IsWon", ""), "IsWon")
    owner_id = d.get("OwnerId", "")
    owner = owners.get(owner_id) or (people.by_username(f"salesforce-{owner_id}") if owner_id else None)
    created_at = parse_when(d["CreatedDate"], "CreatedDate")
    if d.get("CloseDate"):
        parse_when(d["CloseDate"], "CloseDate")
    return DealRow(
        line=row.line,
        external_id=required(d, "Id", 100),
        name=required(d, "Name"),
        owner=owner,
        amount=parse_amount(d.get("Amount", ""), "Amount"),
        currency=parse_currency(d.get("CurrencyIsoCode", "")),
        created_at=created_at,
        account_id=d.get("AccountId") or None,
    )


def _current_stage(row, deal: DealRow, resolver: StageResolver) -> HistoryRow:
    d = row.data
    entered = parse_when(d.get("LastStageChangeDate") or d["CreatedDate"], "LastStageChangeDate")
    return HistoryRow(
        line=row.line,
        deal_id=deal.external_id,
        stage=resolver.get(required(d, "StageName", MAX_STAGE_NAME)),
        entered_at=entered,
        key="opportunity-stage",
    )


def _history(file: CsvFile, report: ImportReport, progress, resolver: StageResolver) -> None:
    for batch in batches(file.rows(required=COLUMNS[HISTORY], report=report, progress=progress)):
        good = []
        for row in batch:
            d = row.data
            try:
                if _deleted(d):
                    continue
                entered_at = parse_when(d["CreatedDate"], "CreatedDate")
                stage_name = required(d, "StageName", MAX_STAGE_NAME)
                key = optional(d, "Id") or f"{stage_name}@{entered_at.isoformat()}"
                good.append(
                    HistoryRow(
                        line=row.line,
                        deal_id=required(d, "OpportunityId", 100),
                        stage=resolver.get(stage_name),
                        entered_at=entered_at,
                        key=key,
                    )
                )
            except RowInvalid as exc:
                report.reject(file.name, row.line, str(exc))
        write_history(good, source=SOURCE, file=file.name, report=report)


def _contact_roles(files: dict[str, CsvFile], report: ImportReport, progress, resolver: RoleResolver) -> None:
    """Each contact role on an opportunity becomes a member of its deal's buying committee, keyed
    by its Id. Rows without a Role are left out: they name no buyer role."""
    file = files[CONTACT_ROLE]
    names = _contact_names(files[CONTACT], file, progress) if CONTACT in files else {}
    writer = CommitteeWriter(source=SOURCE, file=file.name, report=report, touched=report.committee_deals)
    rows = file.rows(
        required=COLUMNS[CONTACT_ROLE], report=report, progress=progress, unique=UNIQUE[CONTACT_ROLE]
    )
    for batch in batches(rows):
        good = []
        for row in batch:
            d = row.data
            try:
                if _deleted(d) or not d["Role"]:
                    continue
                contact_id = d.get("ContactId", "")
                good.append(
                    RoleRow(
                        line=row.line,
                        deal_id=required(d, "OpportunityId", 100),
                        role=resolver.get(d["Role"]),
                        contact=names.get(contact_id) or contact_id,
                        is_primary=parse_bool(d.get("IsPrimary", ""), "IsPrimary"),
                        external_id=required(d, "Id"),
                    )
                )
            except RowInvalid as exc:
                report.reject(file.name, row.line, str(exc))
        writer.add(good)


def _contact_names(contacts: CsvFile, roles: CsvFile, progress) -> dict[str, str]:
    """{ContactId: name} of the contacts the roles name (only those: Contact.csv may be long)."""
    wanted = {
        row.data.get("ContactId", "")
        for row in roles.rows(required=COLUMNS[CONTACT_ROLE], report=ImportReport())
    }
    names = {}
    # Contact.csv is only looked up: its own damaged rows are not the import's errors.
    for row in contacts.rows(required=COLUMNS[CONTACT], report=ImportReport(), progress=progress):
        d = row.data
        if d["Id"] in wanted:
            name = " ".join(p for p in (d.get("FirstName", ""), d.get("LastName", "")) if p)
            names[d["Id"]] = name or d.get("Name", "")
    return names
