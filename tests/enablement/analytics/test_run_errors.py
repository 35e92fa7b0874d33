"""A full run on a funnel without an open stage, and a run whose entries statement fails: the first
computes (empty figures), the second reports its own error, not a follow-on one."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from assets.models import FunnelStage
from enablement.analytics import cohort
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import StageEntry
from tests.enablement.analytics.random_world import _world

pytestmark = pytest.mark.django_db


def test_a_funnel_without_an_open_stage_computes_empty_figures():
    _world(1)
    FunnelStage.objects.filter(outcome="open").update(outcome="won")
    run = analytics_compute()
    assert run.complete and not StageEntry.objects.filter(run=run).exists()


def test_a_failing_entries_statement_reports_its_own_error(monkeypatch):
    _world(2)
    monkeypatch.setattr(
        cohort, "ENTRIES_SQL", cohort.ENTRIES_SQL.replace("r.entered_at,", "r.no_such_column,", 1)
    )
    with pytest.raises(DatabaseError, match="no_such_column"):
        analytics_compute()
