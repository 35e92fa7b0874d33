"""Batch writes shared by the importers: a few queries per batch of rows, never one per row.

Each writer compares what is stored with what arrived, so a re-import counts rows as unchanged and
writes nothing, and keeps the rules of enablement.services (history only grows; current stages and
usage stages follow from history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User

from assets.models import FunnelStage
from enablement.choices import UsageSource
from enablement.importers.base import FileCounts, ImportReport
from enablement.models import Account, Deal, StageChange, UsageEvent
from enablement.services import deals_state_recompute, usage_stages_recompute

DEAL_FIELDS = ["name", "account_id", "owner_id", "amount", "currency", "created_at"]


@dataclass
class AccountRow:
    external_id: str
    name: str
    industry: str = ""
    size: str = ""
    region: str = ""


@dataclass
class DealRow:
    line: int
    external_id: str
    name: str
    owner: User | None
    amount: Decimal | None
    currency: str
    created_at: datetime
    account_id: str | None = None  # the source's account id


@dataclass
class HistoryRow:
    line: int
    deal_id: str  # the source's deal id
    stage: FunnelStage
    entered_at: datetime
    key: str


@dataclass
class UsageRow:
    line: int
    event_id: str
    deal_id: str
    asset_id: int
    version_id: int | None
    rep: User
    action: str
    occurred_at: datetime


def write_accounts(
    rows: list[AccountRow], *, source: str, counts: FileCounts | None = None
) -> dict[str, int]:
    """Upsert accounts; returns {source id: pk} for the given rows."""
    latest = {r.external_id: r for r in rows}
    existing = {a.external_id: a for a in Account.objects.filter(source=source, external_id__in=latest)}
    new, changed = [], []
    for key, row in latest.items():
        values = {
            "name": row.name[:255],
            "industry": row.industry[:120],
            "size": row.size[:60],
            "region": row.region[:120],
        }
        account = existing.get(key)
        if account is None:
            new.append(Account(source=source, external_id=key, **values))
        elif any(getattr(account, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(account, f, v)
            changed.append(account)
        elif counts:
            counts.unchanged += 1
    Account.objects.bulk_create(new)
    Account.objects.bulk_update(changed, ["name", "industry", "size", "region"])
    if counts:
        counts.created += len(new)
        counts.updated += len(changed)
    return dict(
        Account.objects.filter(source=source, external_id__in=latest).values_list("external_id", "pk")
    )


def write_deals(
    rows: list[DealRow], *, source: str, counts: FileCounts, account_pks: dict[str, int] | None = None
) -> None:
    latest = {r.external_id: r for r in rows}
    counts.unchanged += len(rows) - len(latest)  # a deal repeated in one batch: the last row wins
    existing = {d.external_id: d for d in Deal.objects.filter(source=source, external_id__in=latest)}
    new, changed = [], []
    for key, row in latest.items():
        values = {
            "name": row.name[:255],
            "account_id": (account_pks or {}).get(row.account_id) if row.account_id else None,
            "owner_id": row.owner.pk if row.owner else None,
            "amount": row.amount,
            "currency": row.currency,
            "created_at": row.created_at,
        }
        deal = existing.get(key)
        if deal is None:
            new.append(Deal(source=source, external_id=key, **values))
        elif any(getattr(deal, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(deal, f, v)
            changed.append(deal)
        else:
            counts.unchanged += 1
    Deal.objects.bulk_create(new)
    Deal.objects.bulk_update(changed, DEAL_FIELDS)
    counts.created += len(new)
    counts.updated += len(changed)


def deal_pks(source: str, external_ids: set[str]) -> dict[str, int]:
    return dict(
        Deal.objects.filter(source=source, external_id__in=external_ids).values_list("external_id", "pk")
    )


def write_history(rows: list[HistoryRow], *, source: str, file: str, report: ImportReport) -> None:
    counts = report.counts(file)
    deals = deal_pks(source, {r.deal_id for r in rows})
    known = [r for r in rows if r.deal_id in deals]
    for row in rows:
        if row.deal_id not in deals:
            report.reject(file, row.line, f"no deal with id {row.deal_id!r}.")
    stored = {
        (deal_pk, key): (stage_pk, entered_at)
        for deal_pk, key, stage_pk, entered_at in StageChange.objects.filter(
            deal_id__in={deals[r.deal_id] for r in known}, external_id__in={r.key for r in known}
        ).values_list("deal_id", "external_id", "stage_id", "entered_at")
    }
    new: dict[tuple[int, str], StageChange] = {}
    for row in known:
        ident = (deals[row.deal_id], row.key)
        if ident in stored or ident in new:
            before = stored.get(ident) or (new[ident].stage_id, new[ident].entered_at)
            if before != (row.stage.pk, row.entered_at):
                report.reject(
                    file,
                    row.line,
                    f"history row {row.key!r} is already recorded with another "
                    "stage or time; history is never rewritten.",
                )
            else:
                counts.unchanged += 1
            continue
        new[ident] = StageChange(
            deal_id=ident[0], stage=row.stage, entered_at=row.entered_at, external_id=row.key
        )
    StageChange.objects.bulk_create(new.values())
    counts.created += len(new)
    touched = {deal_pk for deal_pk, _ in new}
    if touched:
        deals_state_recompute(Deal.objects.filter(pk__in=touched))
        usage_stages_recompute(UsageEvent.objects.filter(deal_id__in=touched))


def write_usage(rows: list[UsageRow], *, source: str, file: str, report: ImportReport) -> None:
    counts = report.counts(file)
    deals = deal_pks(source, {r.deal_id for r in rows})
    stored = set(
        UsageEvent.objects.filter(event_id__in={r.event_id for r in rows}).values_list("event_id", flat=True)
    )
    new: dict[str, UsageEvent] = {}
    for row in rows:
        if row.deal_id not in deals:
            report.reject(file, row.line, f"no deal with id {row.deal_id!r}.")
        elif row.event_id in stored or row.event_id in new:
            counts.unchanged += 1  # a re-sent event is a no-op
        else:
            new[row.event_id] = UsageEvent(
                event_id=row.event_id,
                deal_id=deals[row.deal_id],
                asset_id=row.asset_id,
                asset_version_id=row.version_id,
                rep=row.rep,
                action=row.action,
                occurred_at=row.occurred_at,
                source=UsageSource.IMPORT,
            )
    UsageEvent.objects.bulk_create(new.values())
    counts.created += len(new)
    if new:
        usage_stages_recompute(UsageEvent.objects.filter(event_id__in=new.keys()))
