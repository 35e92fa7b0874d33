"""The rows a run writes in bulk (sql.rows_insert: COPY on PostgreSQL, INSERT elsewhere) and the
entries' `won` flag, on the edges: JSON text that COPY must escape, an error that must come back as
Django's own, funnels with no won stage or several, deals whose current stage is gone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from assets.models import FunnelStage
from enablement.analytics import sql
from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import AnalyticsRun, FigureState, StageEntry
from enablement.analytics.states import states_replace
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal
from tests.enablement.analytics.builders import history
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db
HOSTILE = {
    "back\\slash": "C:\\new\\table\\x00\\N",
    "tab\tand\nnewline\r": "\t\n\r\x0b\x0c\b",
    "unicode": "é ü 中文 🙂 \u2028\u2029",
    "quotes": "\"'`",
    "copy end": "\\.",
    "nested": [[1, 2.5, None, True], {"k": "\\N"}],
}


def _run() -> AnalyticsRun:
    return AnalyticsRun.objects.create(computed_at=datetime(2025, 1, 1, tzinfo=UTC))


def test_figure_states_read_back_exactly_as_written():
    run = _run()
    stage = FunnelStage.objects.first()
    pairs = {(7, stage.pk, "used"): {"days": "\\\t\n", "exposed": []}, (7, stage.pk, "read"): HOSTILE}
    states_replace(run, {stage.pk: HOSTILE}, pairs)
    stored = {(s.asset_id, s.stage_id, s.exposure): s.state for s in FigureState.objects.filter(run=run)}
    assert stored == {(0, stage.pk, "used"): HOSTILE, **pairs}


def test_a_row_the_database_refuses_raises_djangos_error():
    # As the INSERT it replaces: callers (and Django's own bookkeeping of a failed connection) know
    # django.db errors, not the driver's.
    run = _run()
    stage = FunnelStage.objects.first()
    row = (run.pk, stage.pk, 0, "used", "{}")
    table, columns = FigureState._meta.db_table, ("run_id", "stage_id", "asset_id", "exposure", "state")
    with pytest.raises(IntegrityError), transaction.atomic():
        sql.rows_insert(table, columns, [row, row])
    with connection.cursor() as cursor:  # the transaction outside carries on
        cursor.execute("SELECT 1")


def _won_flags() -> dict[str, bool]:
    return {
        e.deal.external_id: e.won
        for e in StageEntry.objects.filter(run=analytics_compute()).select_related("deal")
    }


def _deals() -> dict[str, Deal]:
    deals = {n: DealFactory(external_id=n) for n in ("open", "won", "also-won", "lost", "no-stage")}
    history(deals["open"], ("proposal", 1), ("negotiation", 3))
    history(deals["won"], ("proposal", 1), ("closed-won", 4))
    history(deals["also-won"], ("proposal", 1), ("negotiation", 2))
    history(deals["lost"], ("proposal", 1), ("closed-lost", 4))
    history(deals["no-stage"], ("proposal", 1), ("closed-won", 2))
    deals_state_recompute(Deal.objects.all())
    Deal.objects.filter(external_id="no-stage").update(current_stage=None)
    return deals


def test_won_follows_the_current_stage_with_several_won_stages_and_none():
    _deals()
    assert set(_won_flags().items()) == {
        ("open", False),
        ("won", True),
        ("also-won", False),
        ("lost", False),
        ("no-stage", False),
    }
    # negotiation counted as won too: the deals standing there are won
    FunnelStage.objects.filter(slug="negotiation").update(outcome="won")
    assert _won_flags()["also-won"] and _won_flags()["open"]
    FunnelStage.objects.filter(outcome="won").update(outcome="lost")  # no won stage at all
    assert not any(_won_flags().values())
