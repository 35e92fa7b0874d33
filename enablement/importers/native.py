"""The product's own CSVs (docs/importing.md): stages, roles, assets, deals, history, usage, the
deals' buying committees and, our extension, their qualification ratings (qualification.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from assets import services as asset_services
from assets.choices import AssetKind, AssetStatus, StageOutcome
from assets.models import Asset, BuyerRole, FunnelStage
from enablement.choices import DealSource, UsageAction
from enablement.deals.history import stage_change_key
from enablement.importers.base import ImportFailed, ImportReport, Progress, RowInvalid, batches
from enablement.importers.committee import CommitteeWriter, RoleRow
from enablement.importers.csvfile import CsvFile, UniqueColumn, find_files
from enablement.importers.parse import (
    optional,
    parse_amount,
    parse_choice,
    parse_currency,
    parse_when,
    parse_whole,
    required,
    required_slug,
)
from enablement.importers.people import People
from enablement.importers.qualification import read_native as _qualification
from enablement.importers.roles import RoleResolver, role_names_seen
from enablement.importers.staging import DealSink, HistorySink, UsageSink
from enablement.importers.writers import AccountRow, DealRow, HistoryRow, UsageRow

SOURCE = DealSource.NATIVE
FILES = [
    "stages.csv",
    "roles.csv",
    "assets.csv",
    "deals.csv",
    "stage_history.csv",
    "usage.csv",
    "deal_roles.csv",
    "qualification.csv",
]
COLUMNS = {
    "stages.csv": ["slug", "name", "order", "outcome"],
    "roles.csv": ["slug", "name"],
    "assets.csv": ["slug", "title", "kind", "summary", "buyer_roles", "stages"],
    "deals.csv": [
        "deal_id",
        "name",
        "account",
        "industry",
        "owner_email",
        "amount",
        "currency",
        "created_at",
    ],
    "stage_history.csv": ["deal_id", "stage", "entered_at"],
    "usage.csv": ["event_id", "deal_id", "asset", "rep_email", "action", "occurred_at"],
    "deal_roles.csv": ["deal_id", "role"],
    "qualification.csv": ["deal_id"],  # and at least one of the ratings (checked by its reader)
}
# A second row for the same record would silently overwrite the first; it is refused instead.
UNIQUE = {
    "stages.csv": UniqueColumn("slug", "stage slug"),
    "roles.csv": UniqueColumn("slug", "role slug"),
    "assets.csv": UniqueColumn("slug", "asset slug"),
    "deals.csv": UniqueColumn("deal_id", "deal id"),
    "qualification.csv": UniqueColumn("deal_id", "deal id"),
}


def open_files(path: Path) -> dict[str, CsvFile]:
    files = find_files(path, FILES)
    if not files:
        raise ImportFailed(f"{path} holds none of {', '.join(FILES)}.")
    return files


def run(files: dict[str, CsvFile], report: ImportReport, progress: Progress | None) -> None:
    people = People()
    handlers: dict[str, Callable] = {
        "stages.csv": _stages,
        "roles.csv": _roles,
        "assets.csv": _assets,
        "deals.csv": _deals,
        "stage_history.csv": _history,
        "usage.csv": _usage,
        # The role names are checked against the role map before the first row is written.
        "deal_roles.csv": lambda rows, *args: _deal_roles(files["deal_roles.csv"], rows, *args),
        "qualification.csv": lambda rows, *args: _qualification(files["qualification.csv"], rows, *args),
    }
    for name in FILES:  # in dependency order: later files refer to earlier ones
        if name in files:
            report.counts(name)
            rows = files[name].rows(
                required=COLUMNS[name], report=report, progress=progress, unique=UNIQUE.get(name)
            )
            handlers[name](rows, report, name, people)


def _each(rows, report: ImportReport, name: str, handle: Callable) -> None:
    for row in rows:
        try:
            with transaction.atomic():  # a row refused half-way leaves nothing behind
                outcome = handle(row.data)
        except RowInvalid as exc:
            report.reject(name, row.line, str(exc))
        except ValidationError as exc:
            report.reject(name, row.line, " ".join(exc.messages))
        else:
            counts = report.counts(name)
            setattr(counts, outcome, getattr(counts, outcome) + 1)


def _upsert(model, slug: str, values: dict) -> str:
    """Create or update by slug; names are unique too, so a name another slug holds is refused."""
    other = model.objects.filter(name=values["name"]).exclude(slug=slug).values_list("slug", flat=True)
    if other:
        raise RowInvalid(f"name {values['name']!r} is already used by {other[0]!r}.")
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        model.objects.create(slug=slug, **values)
        return "created"
    if all(getattr(obj, k) == v for k, v in values.items()):
        return "unchanged"
    model.objects.filter(pk=obj.pk).update(**values)
    return "updated"


def _stages(rows, report, name, people) -> None:
    def handle(d: dict) -> str:
        slug = required_slug(d, "slug", 60)
        values = {
            "name": required(d, "name", 80),
            "order": parse_whole(d["order"], "order"),
            "outcome": parse_choice(d["outcome"], StageOutcome, "outcome"),
        }
        if d.get("definition"):
            values["definition"] = d["definition"]
        return _upsert(FunnelStage, slug, values)

    _each(rows, report, name, handle)


def _roles(rows, report, name, people) -> None:
    def handle(d: dict) -> str:
        slug = required_slug(d, "slug", 60)
        values = {"name": required(d, "name", 80)}
        if d.get("description"):
            values["description"] = d["description"]
        return _upsert(BuyerRole, slug, values)

    _each(rows, report, name, handle)


def _slugs(value: str, known: dict, what: str) -> list:
    slugs = [s.strip() for s in value.split(";") if s.strip()]
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise RowInvalid(f"unknown {what} {', '.join(map(repr, unknown))}.")
    return [known[s] for s in slugs]


def _assets(rows, report, name, people) -> None:
    roles = {r.slug: r for r in BuyerRole.objects.all()}
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    check_url = URLValidator(schemes=["http", "https"])

    def handle(d: dict) -> str:
        slug, title = required_slug(d, "slug", 200), required(d, "title", 200)
        kind = parse_choice(d["kind"], AssetKind, "kind")
        status = parse_choice(d.get("status") or AssetStatus.PUBLISHED, AssetStatus, "status")
        url = optional(d, "url", Asset._meta.get_field("external_url").max_length)
        if url:
            try:
                check_url(url)
            except ValidationError:
                raise RowInvalid(f"url {url!r} is not an http(s) address.") from None
        asset_roles = _slugs(d["buyer_roles"], roles, "buyer role")
        asset_stages = _slugs(d["stages"], stages, "stage")
        asset = Asset.objects.filter(slug=slug).first()
        values = {"title": title, "kind": kind, "summary": d["summary"], "external_url": url}
        if asset is None:
            asset = asset_services.asset_create(
                slug=slug, buyer_roles=asset_roles, stages=asset_stages, **values
            )
            # Created as a draft; its status through the rule (a publish without content is refused).
            asset_services.asset_update(asset=asset, data={"status": status})
            return "created"
        data = {**values, "buyer_roles": asset_roles, "stages": asset_stages, "status": status}
        _, changed = asset_services.asset_update(asset=asset, data=data)
        return "updated" if changed else "unchanged"

    _each(rows, report, name, handle)


def _deals(rows, report, name, people) -> None:
    sink = DealSink(source=SOURCE, file=name, report=report)
    for batch in batches(rows):
        good, accounts = [], []
        for row in batch:
            d = row.data
            try:
                account = d["account"][:255]
                good.append(
                    DealRow(
                        line=row.line,
                        external_id=required(d, "deal_id", 100),
                        name=required(d, "name"),
                        owner=people.by_email(d["owner_email"]) if d["owner_email"] else None,
                        amount=parse_amount(d["amount"], "amount"),
                        currency=parse_currency(d["currency"]),
                        created_at=parse_when(d["created_at"], "created_at"),
                        account_id=account or None,
                    )
                )
                if account:
                    accounts.append(AccountRow(external_id=account, name=account, industry=d["industry"]))
            except RowInvalid as exc:
                report.reject(name, row.line, str(exc))
        sink.add(good, accounts)
    sink.finish()


def _history(rows, report, name, people) -> None:
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    sink = HistorySink(source=SOURCE, file=name, report=report)
    for batch in batches(rows):
        good = []
        for row in batch:
            d = row.data
            try:
                stage = stages.get(d["stage"])
                if stage is None:
                    raise RowInvalid(f"stage {d['stage']!r} is not a funnel stage slug.")
                entered_at = parse_when(d["entered_at"], "entered_at")
                good.append(
                    HistoryRow(
                        line=row.line,
                        deal_id=required(d, "deal_id", 100),
                        stage=stage,
                        entered_at=entered_at,
                        key=stage_change_key(stage, entered_at),
                    )
                )
            except RowInvalid as exc:
                report.reject(name, row.line, str(exc))
        sink.add(good)
    sink.finish()


def _usage(rows, report, name, people) -> None:
    assets = {
        slug: (pk, version)
        for slug, pk, version in Asset.objects.values_list("slug", "pk", "current_version_id")
    }
    sink = UsageSink(source=SOURCE, file=name, report=report)
    for batch in batches(rows):
        good = []
        for row in batch:
            d = row.data
            try:
                if d["asset"] not in assets:
                    raise RowInvalid(f"no asset with slug {d['asset']!r}.")
                action = parse_choice(d["action"], UsageAction, "action")
                asset_pk, version_pk = assets[d["asset"]]
                good.append(
                    UsageRow(
                        line=row.line,
                        event_id=required(d, "event_id", 100),
                        deal_id=required(d, "deal_id", 100),
                        asset_id=asset_pk,
                        version_id=version_pk,
                        rep=people.by_email(required(d, "rep_email")),
                        action=action,
                        occurred_at=parse_when(d["occurred_at"], "occurred_at"),
                    )
                )
            except RowInvalid as exc:
                report.reject(name, row.line, str(exc))
        sink.add(good)
    sink.finish()


def _deal_roles(file: CsvFile, rows, report, name, people) -> None:
    resolver = RoleResolver(SOURCE)
    resolver.require_all(role_names_seen(file, COLUMNS[name], ["role"]))
    writer = CommitteeWriter(source=SOURCE, file=name, report=report, touched=report.committee_deals)
    for batch in batches(rows):
        good = []
        for row in batch:
            d = row.data
            try:
                good.append(
                    RoleRow(
                        line=row.line,
                        deal_id=required(d, "deal_id", 100),
                        role=resolver.get(required(d, "role")),
                        contact=optional(d, "contact"),
                    )
                )
            except RowInvalid as exc:
                report.reject(name, row.line, str(exc))
        writer.add(good)
