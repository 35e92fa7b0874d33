"""Stage history, and everything that follows from it. This module is where the rules live:

- history rows are only ever added; the same row again is a no-op, a different one under the same key
  is refused (history is never rewritten);
- a deal's current stage, and when it closed, follow from its latest history row;
- what follows in the packages above (a usage event's stage, the deal's fit) is announced through
  enablement.deals.events.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from assets.choices import StageOutcome
from assets.models import FunnelStage
from enablement.deals import events
from enablement.deals.models import Deal, StageChange


def stage_change_key(stage: FunnelStage, entered_at: datetime) -> str:
    """The natural key of a history row for sources that give rows no id of their own."""
    return f"{stage.slug}@{entered_at.isoformat()}"


def latest_change(deal_ref: OuterRef, *, before: OuterRef | None = None) -> QuerySet[StageChange]:
    changes = StageChange.objects.filter(deal=deal_ref)
    if before is not None:
        changes = changes.filter(entered_at__lte=before)
    return changes.order_by("-entered_at", "-pk")


def history_rewrite_message(key: str) -> str:
    """Why a history row is refused, whichever path sent it (API, importer, import staging)."""
    return f"history row {key!r} is already recorded with another stage or time; history is never rewritten."


def deals_state_recompute(deals: QuerySet[Deal]) -> None:
    """Set current_stage and closed_at of these deals (each with history) from their latest history
    row, set-based: the latest row's stage, and its time as closed_at when that stage is won or lost.
    On PostgreSQL the one statement of deals_state_recompute_sql; elsewhere the ORM's correlated
    subqueries, which say the same."""
    if connection.vendor == "postgresql":
        try:
            selected, params = deals.values("pk").query.sql_with_params()
        except EmptyResultSet:  # e.g. pk__in=[]: no deal to set
            return
        deals_state_recompute_sql(selected, params)
        return
    latest = latest_change(OuterRef("pk"))
    deals.update(current_stage=Subquery(latest.values("stage")[:1]))
    ids = deals.values("pk")
    Deal.objects.filter(pk__in=ids).filter(current_stage__outcome=StageOutcome.OPEN).update(closed_at=None)
    Deal.objects.filter(pk__in=ids, current_stage__isnull=True).update(closed_at=None)
    Deal.objects.filter(pk__in=ids).exclude(current_stage__outcome=StageOutcome.OPEN).exclude(
        current_stage__isnull=True
    ).update(closed_at=Subquery(latest.values("entered_at")[:1]))


def deals_state_recompute_sql(deals: str, params: list | tuple = ()) -> int:
    """deals_state_recompute on PostgreSQL for the deal ids the query `deals` selects, in one statement
    (DISTINCT ON the latest row of each deal): what an import's staging calls with its table of new rows.
    Only deals whose state changes are written; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Deal._meta.db_table} d SET current_stage_id = l.stage_id, closed_at = l.closed_at
            FROM (
                SELECT DISTINCT ON (h.deal_id) h.deal_id, h.stage_id,
                       CASE WHEN s.outcome = %s THEN NULL ELSE h.entered_at END AS closed_at
                FROM {StageChange._meta.db_table} h JOIN {FunnelStage._meta.db_table} s ON s.id = h.stage_id
                WHERE h.deal_id IN ({deals})
                ORDER BY h.deal_id, h.entered_at DESC, h.id DESC
            ) l
            WHERE d.id = l.deal_id
              AND (d.current_stage_id, d.closed_at) IS DISTINCT FROM (l.stage_id, l.closed_at)
            """,
            [StageOutcome.OPEN, *params],
        )
        return cursor.rowcount


def stage_at_sql(deal: str, at: str) -> str:
    """usage.stages.usage_stages_recompute's rule as a scalar subquery for raw `INSERT … SELECT`
    statements: the stage of the deal in column `deal` at the moment in column `at` (the latest history
    row at or before it)."""
    return (
        f"(SELECT h.stage_id FROM {StageChange._meta.db_table} h "
        f"WHERE h.deal_id = {deal} AND h.entered_at <= {at} "
        "ORDER BY h.entered_at DESC, h.id DESC LIMIT 1)"
    )


# What became of a history row sent to stage_history_add_many.
CREATED, UNCHANGED, CONFLICT = "created", "unchanged", "conflict"


@transaction.atomic
def stage_history_add_many(*, rows: list[dict]) -> list[str]:
    """Add history rows, each {deal_id, stage_id, entered_at, external_id}; returns, in order, what
    became of each: CREATED, UNCHANGED (the same row is already recorded, or earlier in `rows`), or
    CONFLICT (its key is recorded with another stage or time: history is never rewritten, so it is
    not written). The one write path of stage history, for one row or an import's batch.

    New rows go in with one INSERT for the batch; then the deals they touch get their current stage
    and close time, and their usage events from the earliest new row on get their stage (set-based).
    """
    stored = {
        (deal_pk, key): (stage_pk, entered_at)
        for deal_pk, key, stage_pk, entered_at in StageChange.objects.filter(
            deal_id__in={r["deal_id"] for r in rows}, external_id__in={r["external_id"] for r in rows}
        ).values_list("deal_id", "external_id", "stage_id", "entered_at")
    }
    new: dict[tuple[int, str], tuple[int, datetime]] = {}
    outcomes = []
    for row in rows:
        ident, content = (row["deal_id"], row["external_id"]), (row["stage_id"], row["entered_at"])
        before = stored.get(ident) or new.get(ident)
        if before is None:
            new[ident] = content
            outcomes.append(CREATED)
        else:
            outcomes.append(UNCHANGED if before == content else CONFLICT)
    if new:
        StageChange.objects.bulk_create(
            StageChange(deal_id=deal_pk, external_id=key, stage_id=stage_pk, entered_at=entered_at)
            for (deal_pk, key), (stage_pk, entered_at) in new.items()
        )
        touched = {deal_pk for deal_pk, _ in new}
        deals_state_recompute(Deal.objects.filter(pk__in=touched))
        earliest = min(entered_at for _, entered_at in new.values())
        events.history_added.send(sender=StageChange, deal_ids=touched, since=earliest)
    return outcomes


@transaction.atomic
def deal_stage_change(
    *, deal: Deal, stage: FunnelStage, entered_at: datetime, external_id: str | None = None
) -> tuple[StageChange, bool]:
    """Add one history row (in time order, whenever it arrives); returns (row, created).

    Sending the same row again is a no-op. A row that would rewrite an existing one is refused.
    """
    if timezone.is_naive(entered_at):
        raise ValidationError({"entered_at": "Give the time with a time zone (or Z for UTC)."})
    key = external_id or stage_change_key(stage, entered_at)
    row = {"deal_id": deal.pk, "stage_id": stage.pk, "entered_at": entered_at, "external_id": key}
    (outcome,) = stage_history_add_many(rows=[row])
    if outcome == CONFLICT:
        raise ValidationError(f"Deal {deal.external_id}: {history_rewrite_message(key)}")
    deal.refresh_from_db(fields=["current_stage", "closed_at"])
    if outcome == CREATED:
        # The buyer roles the profile expects follow the deal's stage (imports re-score at their end).
        events.fit_facts_changed.send(sender=Deal, deal_ids=[deal.pk])
    return StageChange.objects.select_related("stage").get(deal=deal, external_id=key), outcome == CREATED
