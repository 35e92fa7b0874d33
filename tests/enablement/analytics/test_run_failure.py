"""A full run that fails after its exposures step leaves the previous run whole: its exposures (rows
and key), its entries, their key and indexes; the refresh and the full run after it work. And a full
run keeps the grants of the exposures table it makes anew."""

from __future__ import annotations

import pytest
from django.db import connection

from enablement.analytics import engine, sql
from enablement.analytics.engine import analytics_compute, current_run
from enablement.analytics.models import Exposure, StageEntry, StageMetric
from enablement.models import UsageEvent
from tests.enablement.analytics.random_world import STEP, T0, _world
from tests.enablement.analytics.run_layout import _layout
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def _exposures() -> set[tuple]:
    return set(Exposure.objects.values_list("run_id", "entry_id", "asset_id", "in_window"))


@pytest.mark.parametrize("step", ["first_uses", "figures_write"])
def test_a_full_run_failing_after_its_exposures_leaves_the_previous_run_whole(monkeypatch, step):
    _world(3)
    before = analytics_compute()
    exposures, layout = _exposures(), _layout()
    entries = set(StageEntry.objects.values_list("id", "deal_id", "stage_id", "outcome"))
    assert exposures and entries and layout["key"] and layout["entry key"]

    def broken(*args, **kwargs):
        raise RuntimeError("the run fails here")

    monkeypatch.setattr(engine, step, broken)
    with pytest.raises(RuntimeError):
        analytics_compute()
    monkeypatch.undo()

    assert current_run().pk == before.pk
    assert _exposures() == exposures
    assert set(StageEntry.objects.values_list("id", "deal_id", "stage_id", "outcome")) == entries
    assert _layout() == layout
    assert StageMetric.objects.filter(run=before).exists()

    # the refresh after it: a new use on an at-risk entry
    x = Exposure.objects.first()
    entry = StageEntry.objects.get(pk=x.entry_id)
    asset = AssetFactory(slug="after-failure", published_at=T0)
    UsageEvent.objects.create(
        event_id="after-failure",
        asset=asset,
        deal_id=entry.deal_id,
        action="viewed",
        occurred_at=entry.entered_at + STEP / 6,
        source="import",
    )
    refreshed = analytics_compute(refresh=True)
    assert refreshed.pk == before.pk and refreshed.mode == "refresh", refreshed.steps
    again = StageEntry.objects.get(run=before, deal_id=entry.deal_id, stage_id=entry.stage_id)
    assert Exposure.objects.filter(entry_id=again.pk, asset=asset).exists()
    full = analytics_compute()
    assert full.mode == "full" and current_run().pk == full.pk
    assert Exposure.objects.filter(run=full, asset=asset).exists()
    assert _layout() == layout


@pytest.mark.postgres
def test_a_full_run_keeps_the_grants_on_the_exposures_table_it_makes_anew():
    """A reporting role granted the exposures table keeps its grants (a full run replaces the table)."""
    _world(3)
    analytics_compute()
    table = Exposure._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute('CREATE ROLE "Enablement reader" NOLOGIN')  # a name that needs quoting
        cursor.execute(f'GRANT SELECT ON {table} TO "Enablement reader"')
        cursor.execute(f'GRANT INSERT ON {table} TO "Enablement reader" WITH GRANT OPTION')
        cursor.execute(f"GRANT SELECT ON {table} TO PUBLIC")
    granted = sql.grants_of(table)
    assert len(granted) == 3
    assert analytics_compute().mode == "full"
    assert sql.grants_of(table) == granted
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege('Enablement reader', %s, 'SELECT')", [table])
        assert cursor.fetchone()[0]
