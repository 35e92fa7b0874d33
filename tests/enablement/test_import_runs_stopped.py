"""An import whose worker dies part-way (killed, restarted, out of memory) does not stay *running*
for ever: it ends failed with the reason, a redelivered task starts it again, and *Run again* in the
admin imports its files once more."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enablement.choices import ImportStatus
from enablement.importers import liveness
from enablement.importers.models import ImportRun
from enablement.importers.runs import MAX_ATTEMPTS, WORKER_STOPPED, import_run_execute, import_runs_sweep
from enablement.models import Deal
from tests.enablement.importing import native_zip

pytestmark = pytest.mark.django_db


def dead_worker() -> str:
    """The identity of a worker process on this machine that has exited."""
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{liveness._machine()}:{process.pid}:1"


def running(worker: str, **fields) -> ImportRun:
    return ImportRun.objects.create(
        format="native", file=native_zip(), status=ImportStatus.RUNNING, worker=worker, **fields
    )


def test_the_sweep_ends_a_run_whose_worker_process_is_gone_with_the_reason():
    run = running(dead_worker(), started_at=timezone.now(), heartbeat_at=timezone.now())
    alive = running(liveness.worker_identity(), heartbeat_at=timezone.now() - timedelta(hours=1))
    assert import_runs_sweep() == 1
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.finished_at is not None
    assert (
        run.errors
        == WORKER_STOPPED
        == ("The worker stopped (killed or restarted) during the import; nothing was written.")
    )
    alive.refresh_from_db()
    assert alive.status == ImportStatus.RUNNING  # this process runs: its run is alive, heartbeat or not


def test_a_run_on_another_machine_lives_as_long_as_its_heartbeat(settings):
    elsewhere = "another-machine:4242:99"
    fresh = running(elsewhere, heartbeat_at=timezone.now() - timedelta(seconds=30))
    quiet = running(
        elsewhere, heartbeat_at=timezone.now() - timedelta(seconds=settings.IMPORT_WORKER_LOST_SECONDS + 1)
    )
    never = running("")  # left running by a version without heartbeats
    assert import_runs_sweep() == 2
    assert {r.pk: r.status for r in ImportRun.objects.all()} == {
        fresh.pk: ImportStatus.RUNNING,
        quiet.pk: ImportStatus.FAILED,
        never.pk: ImportStatus.FAILED,
    }


def test_a_process_id_taken_by_a_new_process_is_not_the_old_worker():
    reused = f"{liveness._machine()}:{liveness.os.getpid()}:1"  # this pid, but another start time
    run = running(reused, heartbeat_at=timezone.now())
    assert import_runs_sweep() == 1
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED


def test_a_redelivered_task_starts_a_run_whose_worker_died_again():
    run = running(dead_worker(), attempts=1)
    done = import_run_execute(run_id=run.pk)
    assert done.status == ImportStatus.DONE, done.errors
    assert done.attempts == 2 and done.worker == liveness.worker_identity()
    assert Deal.objects.count() == done.counts["deals.csv"]["created"] > 0


def test_a_task_delivered_twice_while_its_worker_runs_does_nothing():
    run = running(liveness.worker_identity(), attempts=1)
    assert import_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.status == ImportStatus.RUNNING and not Deal.objects.exists()


def test_a_run_whose_worker_died_again_and_again_is_not_started_again():
    run = running(dead_worker(), attempts=MAX_ATTEMPTS)
    assert import_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.errors == f"{WORKER_STOPPED} It stopped {MAX_ATTEMPTS} times, so it was not started again."
    assert not Deal.objects.exists()


def test_the_admin_ends_a_stopped_run_on_sight_and_runs_it_again_once(
    client, admin_user, django_capture_on_commit_callbacks
):
    run = running(dead_worker(), started_at=timezone.now())
    client.force_login(admin_user)
    page = client.get(reverse("admin:enablement_importrun_change", args=[run.pk]))
    assert "Status: Failed" in page.text and WORKER_STOPPED in page.text
    assert 'http-equiv="refresh"' not in page.text  # it no longer refreshes for ever
    assert ">Run again</button>" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("admin:enablement_importrun_run_again", args=[run.pk]))
    retry = ImportRun.objects.get(retry_of=run)
    assert again["Location"] == reverse("admin:enablement_importrun_change", args=[retry.pk])
    assert "Status: Done" in client.get(again["Location"]).text and retry.status == ImportStatus.DONE, (
        retry.errors
    )
    assert retry.file.name == run.file.name and retry.created_by == admin_user
    assert Deal.objects.count() == retry.counts["deals.csv"]["created"] > 0
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED  # the failed run stays as it was


def test_only_a_failed_run_can_be_run_again(client, admin_user):
    run = running(liveness.worker_identity())
    client.force_login(admin_user)
    page = client.post(reverse("admin:enablement_importrun_run_again", args=[run.pk]), follow=True)
    assert "Only a failed import can be run again." in page.text
    assert ImportRun.objects.count() == 1


def test_a_rep_cannot_run_an_import_again(client, rep):
    run = running(dead_worker())
    client.force_login(rep)
    response = client.post(reverse("admin:enablement_importrun_run_again", args=[run.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert ImportRun.objects.count() == 1
