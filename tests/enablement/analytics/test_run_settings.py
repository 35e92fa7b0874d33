"""A full run failing inside the steps that switch plan methods off or drop the entries' key (the
entries, the exposures made anew, the exposed strata): the settings, the key and the indexes are as
before it, and the refresh and the full run after it work."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from enablement.analytics import cohort, figures
from enablement.analytics.engine import analytics_compute
from tests.enablement.analytics.random_world import _world
from tests.enablement.analytics.run_layout import _layout

pytestmark = pytest.mark.django_db
SETTINGS = ("enable_hashagg", "enable_sort", "enable_nestloop")
BROKEN = {
    "entries": (cohort, "ENTRIES_SQL", "r.entered_at,"),
    "exposures": (cohort, "EXPOSURES_SQL", "u.asset_id,"),
    "exposed strata": (figures, "EXPOSED_STRATA_SQL", "x.asset_id,"),
}


def _settings() -> list[str]:
    values = []
    if connection.vendor != "postgresql":
        return values  # plan settings are PostgreSQL's
    with connection.cursor() as cursor:
        for name in SETTINGS:
            cursor.execute("SELECT current_setting(%s)", [name])
            values.append(cursor.fetchone()[0])
    return values


@pytest.mark.parametrize("step", BROKEN)
def test_a_full_run_failing_in_a_step_leaves_settings_key_and_indexes(monkeypatch, step):
    _world(4)
    analytics_compute()
    settings, layout = _settings(), _layout()
    module, name, column = BROKEN[step]
    monkeypatch.setattr(module, name, getattr(module, name).replace(column, "no_such_column,", 1))
    with pytest.raises(DatabaseError, match="no_such_column"):
        analytics_compute()
    assert (_settings(), _layout()) == (settings, layout)
    monkeypatch.undo()
    assert analytics_compute(refresh=True).mode == "refresh"
    assert analytics_compute().mode == "full"
    assert (_settings(), _layout()) == (settings, layout)
