"""The refresh after an import or an API batch: only the deals touched are recomputed, and the run it
leaves is the run a full recompute makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assets.models import FunnelStage
from enablement.analytics.engine import analytics_compute, current_run
from enablement.analytics.models import StageEntry
from enablement.models import Deal, StageChange, UsageEvent
from enablement.tasks import analytics_refresh_after_import
from tests.enablement.analytics.builders import planted_world, report
from tests.enablement.importing import import_crm

pytestmark = pytest.mark.django_db


def without_time(data: dict) -> dict:
    return {**data, "as_of": None}


@pytest.fixture
def computed(settings):
    settings.ANALYTICS_REFRESH_OVERLAP = 0  # the planted rows were all recorded a moment ago
    world = planted_world(seed=21)
    analytics_compute()
    return world


def figures_step(run) -> dict:
    return next(s for s in run.steps if s["step"] == "asset figures")


def post_uses(client, asset, deals, at: str, tag: str) -> None:
    events = [
        {"event_id": f"{tag}-{n}", "deal_id": f"P-{n}", "asset": asset, "action": "viewed", "occurred_at": at}
        for n in deals
    ]
    reply = client.post("/api/v1/usage-events/", events, content_type="application/json").json()
    # uses after a deal closed are refused; the rest are stored
    assert reply["created"] + reply["rejected"] == len(events) and reply["created"] > len(events) // 2


def test_uses_after_and_then_before_the_landmark_move_the_figures_by_difference(computed, client, admin_user):
    """Two refreshes in a row, the second moving uses from after the landmark to before it, leave the
    run a full recompute makes, each having moved the pairs from the stored inputs alone."""
    client.force_login(admin_user)
    rare, nulls = computed["assets"]["rare"].slug, [a.slug for a in computed["nulls"][:3]]
    post_uses(client, rare, range(300, 340), "2025-01-13T00:00:00Z", "after")  # past the landmark
    post_uses(client, nulls[0], range(300, 340), "2025-01-13T00:00:00Z", "null-after")
    first = analytics_compute(refresh=True)
    assert first.mode == "refresh" and figures_step(first)["moved"] == 2
    post_uses(client, rare, range(300, 340), "2025-01-02T00:00:00Z", "before")  # the same deals, earlier
    post_uses(client, nulls[1], range(340, 380), "2025-01-03T00:00:00Z", "null-before")
    second = analytics_compute(refresh=True)
    assert second.mode == "refresh" and figures_step(second)["moved"] == 2
    after_refresh = report()
    rows = {r["asset"]: r for r in after_refresh["assets"]}
    assert rows["rare"]["exposed"]["deals"] > 12  # the 12 planted deals and the new ones
    full = analytics_compute()
    assert without_time(report()) == without_time(after_refresh)
    assert (second.usage_events, second.deals) == (full.usage_events, full.deals)  # counted on, not again


def write_native(folder: Path, files: dict[str, list[str]]) -> Path:
    folder.mkdir()
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n")
    return folder


def test_the_refresh_after_an_import_equals_a_full_recompute(computed, tmp_path):
    lifts = computed["assets"]["lifts"].slug
    folder = write_native(
        tmp_path / "more",
        {
            "deals.csv": [
                "deal_id,name,account,industry,owner_email,amount,currency,created_at",
                "N-1,New deal,Initech,Software,newrep@example.com,5000,USD,2025-01-01",
            ],
            # P-5 advances further and the new deal walks in; P-7 reaches a stage on the day it entered.
            "stage_history.csv": [
                "deal_id,stage,entered_at",
                "P-5,closed-won,2025-03-01",
                "N-1,proposal,2025-01-01",
                "N-1,negotiation,2025-01-20",
                "P-7,closed-won,2025-03-02",
            ],
            "usage.csv": [
                "event_id,deal_id,asset,rep_email,action,occurred_at",
                f"late-1,P-1,{lifts},ana@example.com,viewed,2025-01-01T12:00:00Z",
                f"late-2,P-2,{lifts},ana@example.com,viewed,2025-01-25T00:00:00Z",
                f"late-3,N-1,{lifts},ana@example.com,viewed,2025-01-02T00:00:00Z",
            ],
        },
    )
    import_crm("native", str(folder))
    analytics_refresh_after_import()  # what the import queues once it has committed
    refreshed = current_run()
    assert refreshed.mode == "refresh"
    steps = {s["step"]: s["rows"] for s in refreshed.steps}
    assert steps["touched deals"] == 5 and steps["entries"] <= 10  # not the 4,000 deals' entries again
    after_refresh = report()
    full = analytics_compute()
    assert full.mode == "full" and without_time(report()) == without_time(after_refresh)


def test_the_refresh_after_api_batches_equals_a_full_recompute(computed, client, admin_user):
    client.force_login(admin_user)
    lifts = computed["assets"]["lifts"].slug
    events = [
        {"event_id": f"api-{n}", "deal_id": f"P-{n}", "asset": lifts, "action": "viewed",
         "occurred_at": "2025-01-01T06:00:00Z"}
        for n in range(100, 160)
    ]  # fmt: skip
    assert (
        client.post("/api/v1/usage-events/", events, content_type="application/json").json()["created"] == 60
    )
    change = {"stage": "closed-won", "entered_at": "2025-02-01T00:00:00Z"}
    assert (
        client.post("/api/v1/deals/P-100/stage-changes/", change, content_type="application/json").status_code
        < 300
    )
    run = analytics_refresh_after_import()
    assert current_run().pk == run and current_run().mode == "refresh"
    after_refresh = report()
    analytics_compute()
    assert without_time(report()) == without_time(after_refresh)


def test_a_refresh_after_usage_only_keeps_the_entries_and_equals_a_full_recompute(
    computed, client, admin_user
):
    client.force_login(admin_user)
    lifts = computed["assets"]["lifts"].slug
    entries = set(StageEntry.objects.values_list("pk", flat=True))
    events = [
        {"event_id": f"use-{n}", "deal_id": f"P-{n}", "asset": lifts, "action": "viewed",
         "occurred_at": "2025-01-01T06:00:00Z"}
        for n in range(200, 210)
    ]  # fmt: skip
    assert (
        client.post("/api/v1/usage-events/", events, content_type="application/json").json()["created"] == 10
    )
    analytics_refresh_after_import()
    refreshed = current_run()
    steps = {s["step"]: s["rows"] for s in refreshed.steps}
    assert refreshed.mode == "refresh" and steps["touched deals"] == 10 and steps["entries"] == 0
    assert set(StageEntry.objects.values_list("pk", flat=True)) == entries  # no entry written again
    assert figures_step(refreshed)["moved"] == 1  # lifts at proposal, moved by difference
    after_refresh = report()
    analytics_compute()
    assert without_time(report()) == without_time(after_refresh)


def test_a_landmark_set_in_the_admin_is_used_by_the_next_refresh(computed, client, admin_user):
    proposal = FunnelStage.objects.get(slug="proposal")
    client.force_login(admin_user)
    form = {"name": proposal.name, "slug": proposal.slug, "order": proposal.order, "outcome": "open",
            "definition": proposal.definition, "entry_criteria": "", "landmark_days": "3"}  # fmt: skip
    response = client.post(reverse("admin:assets_funnelstage_change", args=[proposal.pk]), form)
    assert response.status_code == 302
    analytics_compute(refresh=True)
    after_refresh = report(stage="proposal")
    assert after_refresh["stages"][0]["landmark_days"] == 3
    analytics_compute()
    assert without_time(report(stage="proposal")) == without_time(after_refresh)


def test_a_landmark_set_to_zero_days_is_refused_in_the_admin(client, admin_user):
    proposal = FunnelStage.objects.get(slug="proposal")
    client.force_login(admin_user)
    form = {"name": proposal.name, "slug": proposal.slug, "order": proposal.order, "outcome": "open",
            "landmark_days": "0"}  # fmt: skip
    response = client.post(reverse("admin:assets_funnelstage_change", args=[proposal.pk]), form)
    assert response.status_code == 200 and "greater than or equal to 1" in response.text
    assert FunnelStage.objects.get(pk=proposal.pk).landmark_days is None


def test_entries_whose_landmark_passed_since_the_last_run_join_at_the_refresh(settings, monkeypatch):
    settings.ANALYTICS_REFRESH_OVERLAP = 0
    planted_world(seed=22)  # Proposal entered on 1 January 2025, resolved 5 to 25 days later
    recorded = datetime(2025, 1, 2, tzinfo=UTC)  # as an import would have recorded them back then
    StageChange.objects.update(recorded_at=recorded)
    UsageEvent.objects.update(recorded_at=recorded)
    Deal.objects.update(updated_at=recorded)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 1, 8, tzinfo=UTC))
    analytics_compute()  # a week in: no landmark has passed yet
    assert report()["assets"] == []
    monkeypatch.setattr(timezone, "now", real_now)
    analytics_compute(refresh=True)
    after_refresh = report()
    assert after_refresh["assets"] and current_run().mode == "refresh"
    analytics_compute()
    assert without_time(report()) == without_time(after_refresh)


def test_many_touched_deals_make_the_refresh_a_full_run(settings):
    settings.ANALYTICS_REFRESH_OVERLAP = 3600  # every planted row counts as new
    planted_world(seed=23)
    analytics_compute()
    assert analytics_compute(refresh=True).mode == "full"
    assert StageEntry.objects.values("run").distinct().count() == 1


def test_each_step_is_timed_and_shown_in_the_admin(computed, client, admin_user):
    run = current_run()
    assert [s["step"] for s in run.steps] == [
        "entries",
        "landmarks",
        "exposures",
        "reads",
        "availability",
        "stage figures",
        "asset figures",
        "tidy",
    ]
    assert all(s["seconds"] >= 0 for s in run.steps) and run.steps[0]["rows"] == StageEntry.objects.count()
    client.force_login(admin_user)
    page = client.get(reverse("admin:enablement_analyticsrun_change", args=[run.pk])).text
    assert "exposures" in page and "asset figures" in page and f">{StageEntry.objects.count()}<" in page
    listing = client.get(reverse("admin:enablement_analyticsrun_changelist")).text
    slowest = max(run.steps, key=lambda s: s["seconds"])["step"]
    assert "Slowest step" in listing and f"{slowest} (" in listing


def test_a_refresh_without_a_previous_run_is_a_full_run(settings):
    planted_world(seed=24)
    assert analytics_compute(refresh=True).mode == "full"
    assert timezone.now() - current_run().computed_at < timedelta(minutes=5)


@pytest.mark.django_db(transaction=True)
def test_a_run_and_a_refresh_outside_any_transaction_commit_as_a_worker_runs_them(settings):
    """Each its own transaction (REPEATABLE READ and work_mem on PostgreSQL), as in a Celery worker."""
    settings.ANALYTICS_REFRESH_OVERLAP = 0
    world = planted_world(seed=25)
    first = analytics_compute()
    lifts = world["assets"]["lifts"]
    deal = Deal.objects.get(external_id="P-3")
    UsageEvent.objects.create(
        event_id="committed-later", asset=lifts, deal=deal, rep=deal.owner, action="viewed",
        occurred_at=datetime(2025, 1, 1, 8, tzinfo=UTC), source="api",
    )  # fmt: skip
    refreshed = analytics_compute(refresh=True)
    assert (refreshed.pk, refreshed.mode) == (first.pk, "refresh")
    after_refresh = report()
    analytics_compute()
    assert without_time(report()) == without_time(after_refresh)


def test_a_full_run_that_fails_leaves_the_last_run_and_its_working_rows(computed, monkeypatch):
    """A full run empties the working tables and builds their indexes after filling them, all inside
    its transaction: when it fails, the last run, its rows and its indexes are as they were."""
    from enablement.analytics import engine

    last = current_run()
    entries = StageEntry.objects.filter(run=last).count()

    def broken(*args, **kwargs):
        raise RuntimeError("the figures could not be written")

    monkeypatch.setattr(engine, "figures_write", broken)
    with pytest.raises(RuntimeError):
        analytics_compute()
    monkeypatch.undo()
    assert current_run().pk == last.pk and StageEntry.objects.filter(run=last).count() == entries > 0
    assert analytics_compute(refresh=True).mode == "refresh"  # its working rows still serve a refresh
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = StageEntry._meta.db_table
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
            names = {name for (name,) in cursor.fetchall()}
        assert {index.name for index in StageEntry._meta.indexes} <= names
