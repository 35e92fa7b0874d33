"""Two imports running at once (two admin uploads, two workers) both complete. Each takes a table's
ANALYZE lock (SHARE UPDATE EXCLUSIVE, held to its commit) as it analyses what it wrote: the deal
sink the deal table's before the history table's. An ANALYZE of the deals after the history's (a
change tried once, to refresh the closing times' statistics) made one of two such imports fail with
a deadlock.

Forced with small files (ANALYSE_AFTER patched to 0) and two events that bring the imports to their
ANALYZEs in the unlucky order."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from enablement.choices import DealSource
from enablement.importers import run_import
from enablement.importers.staging import base, deals, history
from enablement.models import Deal, StageChange
from tests.factories import DealFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_two_imports_at_once_both_complete(tmp_path, monkeypatch):
    owner = UserFactory(username="ana", email="ana@example.com")
    for n in range(3):
        DealFactory(external_id=f"B-{n}", source=DealSource.NATIVE, owner=owner)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "deals.csv").write_text(
        "deal_id,name,account,industry,owner_email,amount,currency,created_at\n"
        + "".join(f"A-{n},Deal {n},Globex,,ana@example.com,10,USD,2025-01-10T09:00:00Z\n" for n in range(3))
    )
    (a / "stage_history.csv").write_text(
        "deal_id,stage,entered_at\n" + "".join(f"A-{n},discovery,2025-01-11T09:00:00Z\n" for n in range(3))
    )
    (b / "stage_history.csv").write_text(
        "deal_id,stage,entered_at\n" + "".join(f"B-{n},discovery,2025-01-11T09:00:00Z\n" for n in range(3))
    )
    for module in (deals, history):
        monkeypatch.setattr(module, "ANALYSE_AFTER", 0)

    a_holds_deal, b_holds_history = threading.Event(), threading.Event()

    def watched(sql, params=()):
        done = base.execute(sql, params)
        who = threading.current_thread().name
        if who == "import-a" and sql == f"ANALYZE {base.DEAL}":
            a_holds_deal.set()
            b_holds_history.wait(10)
        if who == "import-b" and sql == f"ANALYZE {base.HISTORY}":
            b_holds_history.set()
            a_holds_deal.wait(10)
        return done

    monkeypatch.setattr(deals, "execute", watched)
    monkeypatch.setattr(history, "execute", watched)
    errors: dict[str, BaseException] = {}

    def run(name, folder):
        try:
            report = run_import("native", folder)
            assert report.written, report
        except BaseException as exc:
            errors[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("a", a), name="import-a"),
        threading.Thread(target=run, args=("b", b), name="import-b"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, {k: f"{type(v).__name__}: {v}" for k, v in errors.items()}
    assert Deal.objects.filter(external_id__startswith="A-").count() == 3
    assert StageChange.objects.count() == 6
