"""A run computes with Python's cyclic garbage collector paused (a full collection in the middle of a
refresh scanned the whole heap: 0.07 s of 0.15 s), and leaves it as it found it, also when it fails."""

from __future__ import annotations

import gc

import pytest

from enablement.analytics import engine
from enablement.analytics.engine import analytics_compute
from enablement.analytics.runs import current_run
from tests.enablement.analytics.random_world import _world

pytestmark = pytest.mark.django_db


def test_a_run_computes_with_the_collector_paused_and_switches_it_back_on(monkeypatch):
    _world(1)
    seen = []
    compute = engine._compute

    def watched():
        seen.append(gc.isenabled())
        return compute()

    monkeypatch.setattr(engine, "_compute", watched)
    assert gc.isenabled()
    run = analytics_compute()
    assert seen == [False] and gc.isenabled() and current_run().pk == run.pk


def test_a_failing_run_switches_it_back_on_and_one_switched_off_stays_off(monkeypatch):
    def broken():
        raise RuntimeError("the run fails")

    monkeypatch.setattr(engine, "_compute", broken)
    with pytest.raises(RuntimeError):
        analytics_compute()
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(RuntimeError):
            analytics_compute()
        assert not gc.isenabled()
    finally:
        gc.enable()
