"""Migrations 0014 (the exposures keyed by (entry, asset), the table made anew) and 0015 (days by
date_part) forward and back over a database holding a run: either way the next run must be a full
one, and the working table is as the migrations before made it (unlogged on PostgreSQL, 0004)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from enablement.analytics.models import AnalyticsRun, Exposure, StageEntry
from enablement.analytics.refresh import refresh
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("enablement", "0013_analytics_working_indexes")]
AT = datetime(2025, 6, 1, tzinfo=UTC)


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _exposure_unlogged() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'enablement_exposure'")
        return cursor.fetchone()[0] == "u"


def _a_refreshable_run() -> AnalyticsRun:
    run = AnalyticsRun.objects.create(computed_at=AT, watermark=AT, mode="full", complete=True)
    deal, asset = DealFactory(), AssetFactory()
    entry = StageEntry.objects.create(
        run=run, deal=deal, stage_id=deal.current_stage_id or 1, entered_at=AT, outcome="open"
    )
    Exposure.objects.create(run=run, asset=asset, entry=entry)
    return run


def test_migrating_back_past_0014_leaves_no_run_to_refresh_on_lost_exposures():
    run = _a_refreshable_run()
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM enablement_exposure")
            assert cursor.fetchone()[0] == 0  # the table was made again: the run's exposures are gone
            cursor.execute("SELECT watermark FROM enablement_analyticsrun WHERE id = %s", [run.pk])
            # ... so no refresh may build on the run: the next one must recompute everything
            assert cursor.fetchone()[0] is None
        if connection.vendor == "postgresql":
            assert _exposure_unlogged()  # as 0004 left it
    finally:
        _migrate(_latest())
    assert AnalyticsRun.objects.get(pk=run.pk).watermark is None
    if connection.vendor == "postgresql":
        assert _exposure_unlogged()


def test_migrating_forward_to_0014_makes_the_next_run_a_full_one():
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO enablement_analyticsrun (computed_at, complete, deals, usage_events, funnel, "
                "usage_recent, mode, watermark, steps, availability, available) "
                "VALUES (%s, TRUE, 0, 0, '[]', 0, 'full', %s, '[]', '{}', '{}')",
                [AT, AT],
            )
    finally:
        _migrate(_latest())
    assert AnalyticsRun.objects.get().watermark is None
    assert refresh() is None  # a full run


def test_migrating_to_0015_either_way_makes_the_next_run_a_full_one():
    """0015: the entries' days are computed another way (date_part), so no refresh may build on a run
    whose entries hold the old ones."""
    at_0014 = [("enablement", "0014_analytics_exposure_key")]
    try:
        _migrate(at_0014)
        run = _a_refreshable_run()
    finally:
        _migrate(_latest())
    assert AnalyticsRun.objects.get(pk=run.pk).watermark is None
    assert refresh() is None  # a full run
    AnalyticsRun.objects.filter(pk=run.pk).update(watermark=AT)
    _migrate(at_0014)
    try:
        assert AnalyticsRun.objects.get(pk=run.pk).watermark is None
    finally:
        _migrate(_latest())
