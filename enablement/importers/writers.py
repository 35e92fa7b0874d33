"""Batch writes shared by the importers: a few queries per batch of rows, never one per row.

Each writer compares what is stored with what arrived, so a re-import counts rows as unchanged and
writes nothing, and records history and usage through their one write path (enablement.deals.history,
enablement.usage.services), so the rules are those of every other caller.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Model

from assets.models import FunnelStage
from enablement.choices import UsageSource, UsageStatus
from enablement.deals.history import CONFLICT, CREATED, history_rewrite_message, stage_history_add_many
from enablement.deals.models import Account, Deal
from enablement.importers.base import FileCounts, ImportReport, no_deal_message
from enablement.usage.services import usage_record_many


@dataclass
class AccountRow:
    """An account as a CRM file names it; None: the file does not say (what is stored stands)."""

    external_id: str
    name: str
    industry: str | None = None
    size: str | None = None
    region: str | None = None


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


def _upsert(model, *, source: str, values_by_key: dict[str, dict], counts: FileCounts | None) -> None:
    """Create the rows that are new, update those that differ, count the rest unchanged: three
    queries for the whole batch, keyed by (source, external_id)."""
    existing = {o.external_id: o for o in model.objects.filter(source=source, external_id__in=values_by_key)}
    upsert_objects(
        model,
        existing,
        values_by_key,
        lambda key, values: model(source=source, external_id=key, **values),
        counts,
    )


def upsert_objects(
    model: type[Model],
    existing: dict[Hashable, Model],
    values_by_key: dict[Hashable, dict],
    make: Callable[[Hashable, dict], Model],
    counts: FileCounts | None,
) -> list[Model]:
    """Of `values_by_key`, create (`make`) those not in `existing`, update those that differ and
    count the rest unchanged, in two queries; returns the objects created or updated."""
    new, changed, unchanged = [], [], 0
    for key, values in values_by_key.items():
        obj = existing.get(key)
        if obj is None:
            new.append(make(key, values))
        elif any(getattr(obj, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(obj, f, v)
            changed.append(obj)
        else:
            unchanged += 1
    model.objects.bulk_create(new)
    if changed:
        # bulk_update skips auto_now: stamp it, as a save would (the analytics refresh and the fit
        # after an import find edited deals by updated_at, as the PostgreSQL path sets it).
        stamps = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        for obj in changed:
            for f in stamps:
                f.pre_save(obj, add=False)
        fields = [*{f: None for values in values_by_key.values() for f in values}, *(f.name for f in stamps)]
        model.objects.bulk_update(changed, fields)
    if counts is not None:
        counts.created += len(new)
        counts.updated += len(changed)
        counts.unchanged += unchanged
    return [*new, *changed]


def write_accounts(
    rows: list[AccountRow], *, source: str, counts: FileCounts | None = None
) -> dict[str, int]:
    """Upsert accounts; returns {source id: pk} for the given rows."""
    limits = {"industry": 120, "size": 60, "region": 120}
    values = {
        r.external_id: {
            "name": r.name[:255],
            **{f: getattr(r, f)[:n] for f, n in limits.items() if getattr(r, f) is not None},
        }
        for r in rows
    }
    _upsert(Account, source=source, values_by_key=values, counts=counts)
    return dict(
        Account.objects.filter(source=source, external_id__in=values).values_list("external_id", "pk")
    )


def write_deals(
    rows: list[DealRow], *, source: str, counts: FileCounts, account_pks: dict[str, int] | None = None
) -> None:
    values = {
        r.external_id: {
            "name": r.name[:255],
            "account_id": (account_pks or {}).get(r.account_id) if r.account_id else None,
            "owner_id": r.owner.pk if r.owner else None,
            "amount": r.amount,
            "currency": r.currency,
            "created_at": r.created_at,
        }
        for r in rows
    }
    if len(values) < len(rows):  # the readers refuse a repeated id, so this is a bug, not bad input
        raise ValueError("write_deals was given the same deal id twice.")
    _upsert(Deal, source=source, values_by_key=values, counts=counts)


def deal_pks(source: str, external_ids: set[str]) -> dict[str, int]:
    return dict(
        Deal.objects.filter(source=source, external_id__in=external_ids).values_list("external_id", "pk")
    )


def with_known_deal(rows: list, deals: dict[str, int], *, file: str, report: ImportReport) -> list:
    """The rows whose deal is known; the others are rejected with their line."""
    known = []
    for row in rows:
        if row.deal_id in deals:
            known.append(row)
        else:
            report.reject(file, row.line, no_deal_message(row.deal_id))
    return known


def write_history(rows: list[HistoryRow], *, source: str, file: str, report: ImportReport) -> None:
    """Record through stage_history_add_many, so imports keep the API's rules: a row already recorded
    the same is unchanged, with another stage or time it is rejected (history is never rewritten)."""
    counts = report.counts(file)
    deals = deal_pks(source, {r.deal_id for r in rows})
    known = with_known_deal(rows, deals, file=file, report=report)
    history = [
        {
            "deal_id": deals[r.deal_id],
            "stage_id": r.stage.pk,
            "entered_at": r.entered_at,
            "external_id": r.key,
        }
        for r in known
    ]
    for row, outcome in zip(known, stage_history_add_many(rows=history), strict=True):
        if outcome == CONFLICT:
            report.reject(file, row.line, history_rewrite_message(row.key))
        elif outcome == CREATED:
            counts.created += 1
        else:
            counts.unchanged += 1


def write_usage(rows: list[UsageRow], *, source: str, file: str, report: ImportReport) -> None:
    """Record through usage_record_many, so imports keep the API's rules: an event_id already recorded
    the same is unchanged, with other content it is rejected, and so is usage after its deal closed."""
    counts = report.counts(file)
    deals = deal_pks(source, {r.deal_id for r in rows})
    known = with_known_deal(rows, deals, file=file, report=report)
    events = [
        {
            "event_id": row.event_id,
            "deal_id": deals[row.deal_id],
            "asset_id": row.asset_id,
            "asset_version_id": row.version_id,
            "rep_id": row.rep.pk,
            "action": row.action,
            "occurred_at": row.occurred_at,
            "source": UsageSource.IMPORT,
        }
        for row in known
    ]
    for row, outcome in zip(known, usage_record_many(events=events), strict=True):
        if outcome.status == UsageStatus.CREATED:
            counts.created += 1
        elif outcome.status == UsageStatus.DUPLICATE:
            counts.unchanged += 1  # a re-sent event is a no-op
        else:
            report.reject(file, row.line, outcome.message)
