"""What every analytics run is made of, full or refresh: timed steps, one transaction with one
snapshot, statistics taken after a working table is filled, each asset's availability, the figures
written from the working tables, and the run's bookkeeping (enablement.analytics.engine)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from assets.models import Asset, FunnelStage
from enablement import webhook_events
from enablement.analytics import cohort, figures, sql, stage_figures
from enablement.analytics.models import AnalyticsRun, AssetLastUse, AssetStageMetric, Segment
from enablement.analytics.states import moment_of
from enablement.buyers.services import current_profile
from enablement.deals.models import Deal
from enablement.usage.models import UsageEvent


class Steps:
    """Each step's seconds and rows, in order."""

    def __init__(self) -> None:
        self.done: list[dict] = []
        self.started = time.perf_counter()

    @contextmanager
    def __call__(self, name: str) -> Iterator[dict]:
        record = {"step": name, "rows": None}
        started = time.perf_counter()
        yield record
        record["seconds"] = round(time.perf_counter() - started, 4)
        self.done.append(record)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a run computes, and on again after (if it was).
    A run makes many short-lived containers (rows, strata, states) that reference counting frees; their
    number set off full collections in the middle of it, each a scan of the worker's whole heap (a
    large part of a short refresh when it falls inside it). Left off, a collection comes
    when the worker allocates after the run, between tasks."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def run_transaction(*, parallel: bool = False) -> Iterator[None]:
    """One transaction with one snapshot (PostgreSQL: REPEATABLE READ, work_mem raised for it, and its
    commit not waiting for the log to be flushed); `parallel` for a full run, whose reads scan whole
    tables."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if sql.postgres():
            with connection.cursor() as cursor:
                if outermost:  # only the first statement of a transaction may set its isolation
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.ANALYTICS_WORK_MEM])
                # Derived rows only: a crash in the moment after commit loses a run the next recomputes,
                # so the commit need not wait for the log to reach the disk.
                cursor.execute("SELECT set_config('synchronous_commit', 'off', true)")
                if parallel:
                    # A full run's reads scan whole working tables it has just analysed: workers pay
                    # off for them well below the default costs, which are set for short queries. A
                    # refresh's reads are short: starting workers would cost more than each statement.
                    cursor.execute("SELECT set_config('parallel_setup_cost', '10', true)")
                    cursor.execute("SELECT set_config('parallel_tuple_cost', '0.001', true)")
        yield


def watermark(now: datetime) -> datetime:
    """Rows recorded before this are all visible to the run: it goes back past the oldest other open
    transaction on PostgreSQL (a long import), and by a margin for clocks. Taken before the run's
    transaction reads anything: a transaction that commits after this look but before the run's
    snapshot is then in the snapshot, where one committing after the snapshot started after the look
    (its rows recorded past the watermark, read by the next refresh)."""
    oldest = now
    if sql.postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT MIN(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            started = cursor.fetchone()[0]
        oldest = min(oldest, started) if started else oldest
    return oldest - timedelta(seconds=settings.ANALYTICS_REFRESH_OVERLAP)


def analyze(model: type) -> None:
    # SQLite plans these joins well without statistics; PostgreSQL needs them (docs/benchmarks.md).
    if sql.postgres():
        sql.analyze(model._meta.db_table)


def first_uses(run: AnalyticsRun) -> None:
    """Each asset's first recorded use (the run's `availability`), its last (AssetLastUse), and the
    run's count of usage events, from the same pass over the usage table."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT asset_id, MIN(occurred_at), MAX(occurred_at), COUNT(*) FROM {sql.tables()['usage']} "
            "GROUP BY asset_id"
        )
        rows = cursor.fetchall()
    run.availability = {str(a): iso(t) for a, t, _, _ in rows}
    run.usage_events = sum(n for _, _, _, n in rows)
    last = [(run.pk, a, t) for a, _, t, _ in rows]
    sql.rows_insert(AssetLastUse._meta.db_table, ("run_id", "asset_id", "last_used"), last)


def iso(value: datetime | str) -> str:
    return moment_of(value).isoformat()


def availability(run: AnalyticsRun) -> dict[int, datetime]:
    """The earlier of each asset's published date and its first recorded use."""
    available = {int(a): datetime.fromisoformat(t) for a, t in run.availability.items()}
    for asset_id, published in Asset.objects.exclude(published_at=None).values_list("pk", "published_at"):
        available[asset_id] = min(published, available.get(asset_id, published))
    return available


def figures_write(
    run: AnalyticsRun,
    landmarks: cohort.Landmarks,
    steps: Steps,
    *,
    stages: bool = True,
    scopes: dict[str, figures.Scope] | None = None,
    available: dict[int, datetime] | None = None,
) -> None:
    """The run's figures (`scopes`: a refresh's, one per exposure kind); `available`: each asset's
    availability when the caller has it already."""
    if stages:  # the scorecard follows from history and landmarks only
        with steps("stage figures") as step:
            step["rows"] = len(stage_figures.stage_metrics_write(run, landmarks))
    available = availability(run) if available is None else available
    run.available = {str(a): t.isoformat() for a, t in available.items()}
    with steps("asset figures") as step:
        step["rows"] = figures.asset_metrics_write(run, landmarks, available, scopes)
        if scopes is not None:
            # (asset, stage) pairs settled by difference, not from the tables, of either kind
            step["moved"] = sum(scope.moved for scope in scopes.values())
    if scopes is not None:
        # A refresh leaves the figures in and out of profile as the last full run made them: they
        # would cost two full asset-figure steps, and a refresh's cost should follow the new rows.
        return
    if current_profile() is None:
        AssetStageMetric.segments.filter(run=run).exclude(segment=Segment.ALL).delete()
        return
    for segment in (Segment.IN_PROFILE, Segment.OUT_OF_PROFILE):
        with steps(f"asset figures {segment.label.lower()}") as step:
            step["rows"] = figures.segment_metrics_write(run, landmarks, available, segment)


def funnel() -> list[list]:
    """The stages as the entries follow them: a change (order, outcome, a stage added or removed)
    rewrites every deal's entries, so a refresh that finds another funnel makes a full run."""
    return [list(row) for row in FunnelStage.objects.order_by("pk").values_list("pk", "order", "outcome")]


def full_run_needed(**kwargs) -> None:
    """Rows the runs read were deleted or changed unseen — a deal, an asset or a rep deleted (their
    history and uses, or the deals' owner, with them; post_delete, connected in enablement.apps), usage
    deleted in the admin: no refresh sees rows that are gone, so the next run is a full one."""
    AnalyticsRun.objects.exclude(watermark=None).update(watermark=None)


def reading_deleted(*, instance, **kwargs) -> None:
    """A confirmed visit deleted (a viewer erased, the retention purge, a room or deal deleted): the
    reading it held is gone, which no refresh sees, so the next run is a full one. An unconfirmed
    visit (its page never ran: no page read) changes no figure."""
    if instance.events:
        full_run_needed()


def run_finish(run: AnalyticsRun, steps: Steps, *, since: datetime | None = None) -> None:
    """Mark the run complete with its counts. A refresh (`since`: the watermark it started from)
    counts usage by difference: every event recorded before that watermark was counted by the run
    before, so only those recorded since are counted again (a full run counted them all with the
    first uses: first_uses)."""
    run.complete, run.finished_at, run.funnel = True, timezone.now(), funnel()
    run.deals = Deal.objects.count()
    if since is not None:
        run.usage_events += UsageEvent.objects.filter(recorded_at__gte=since).count() - run.usage_recent
    run.usage_recent = UsageEvent.objects.filter(recorded_at__gte=run.watermark).count()
    run.seconds = steps.seconds
    run.steps = steps.done
    run.save()
    webhook_events.analytics_computed(run)


def current_run() -> AnalyticsRun | None:
    return AnalyticsRun.objects.filter(complete=True).order_by("-computed_at").first()
