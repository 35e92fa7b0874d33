"""Uploading CRM files in the admin: a Celery task imports them and the page shows progress and result."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from enablement.choices import ImportStatus
from enablement.importers import run_import
from enablement.importers.liveness import worker_identity
from enablement.importers.runs import progress_key
from enablement.models import Deal, ImportRun
from tests.enablement.importing import FIXTURES, native_zip, upload
from tests.waiting import wait_until


@pytest.mark.django_db
def test_an_upload_is_imported_by_the_task_and_the_page_shows_the_counts(
    client, marketer, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, native_zip())
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.DONE and run.created_by == marketer
    assert run.counts["deals.csv"] == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    page = client.get(reverse("admin:enablement_importrun_change", args=[run.pk]))
    assert "Status: Done" in page.text and "deals.csv" in page.text
    assert Deal.objects.count() == 3


@pytest.mark.django_db
def test_a_failed_upload_shows_file_and_line_and_writes_nothing(
    client, marketer, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, native_zip(**{"2025-03-01T10:00:00Z": "tomorrow"}))
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert "stage_history.csv:4: entered_at 'tomorrow' is not a date" in run.errors
    page = client.get(reverse("admin:enablement_importrun_change", args=[run.pk]))
    assert "Nothing was written." in page.text and "stage_history.csv:4" in page.text
    assert not Deal.objects.exists()


@pytest.mark.django_db
def test_a_running_import_shows_its_progress_and_refreshes(client, marketer):
    run = ImportRun.objects.create(
        format="native", file=native_zip(), status=ImportStatus.RUNNING, worker=worker_identity()
    )
    cache.set(progress_key(run.pk), {"file": "usage.csv", "done": 40, "total": 100, "percent": 40})
    client.force_login(marketer)
    page = client.get(reverse("admin:enablement_importrun_change", args=[run.pk]))
    assert "Reading usage.csv: 40%" in page.text
    assert '<progress max="100" value="40">' in page.text
    assert 'http-equiv="refresh"' in page.text


@pytest.mark.django_db
def test_progress_is_reported_for_every_file_up_to_its_size():
    seen: dict[str, tuple[int, int]] = {}
    run_import(
        "native",
        FIXTURES / "native",
        dry_run=True,
        progress=lambda name, done, total: seen.__setitem__(name, (done, total)),
    )
    assert set(seen) == {
        "stages.csv",
        "roles.csv",
        "assets.csv",
        "deals.csv",
        "stage_history.csv",
        "usage.csv",
        "deal_roles.csv",
    }
    assert all(done == total > 0 for done, total in seen.values())


@pytest.mark.django_db
def test_a_task_delivered_twice_imports_once(django_capture_on_commit_callbacks):
    from enablement.tasks import import_run

    run = ImportRun.objects.create(format="native", file=native_zip())
    assert import_run(run.pk) == ImportStatus.DONE
    assert import_run(run.pk) is None  # not this worker's to run: it is done
    assert Deal.objects.count() == 3
    assert ImportRun.objects.get().status == ImportStatus.DONE


@pytest.mark.celery_worker
def test_an_upload_is_imported_by_a_real_worker(client, celery_worker, marketer):
    client.force_login(marketer)
    upload(client, native_zip())
    run = wait_until(
        lambda: ImportRun.objects.exclude(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).first(),
        seconds=60,
        what="the worker to finish the import",
    )
    assert run.status == ImportStatus.DONE, run.errors
    assert Deal.objects.count() == 3
