"""With Redis (broker and cache) stopped nothing answers 500 and nothing is lost; the queued work runs
once Redis is back."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset, AssetVersion, FunnelStage
from assets.services import asset_version_add
from config.outbox.models import PendingTask
from config.outbox.tasks import pending_tasks_send
from enablement.analytics.models import AnalyticsRun
from enablement.choices import ImportStatus
from enablement.deals.history import deal_stage_change
from enablement.models import Deal, ImportRun, UsageEvent
from tests.assets.forms import asset_form
from tests.enablement.importing import FIXTURES, native_zip, upload
from tests.factories import AssetFactory, DealFactory
from tests.outage import HUNG_FAST_SECONDS, answers_fast, answers_within, redis_hung, redis_stopped
from tests.waiting import wait_until

WAITING = "Waiting for the worker"


@pytest.mark.django_db
def test_portal_pages_and_logging_a_use_work(client, rep, redis_down):
    asset = AssetFactory(title="Initech case study", slug="initech-case-study")
    deal = DealFactory(owner=rep)
    deal_stage_change(
        deal=deal,
        stage=FunnelStage.objects.get(slug="discovery"),
        entered_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(rep)
    with answers_fast():
        assert client.get(reverse("home")).status_code == 200
        assert "Initech case study" in client.get(reverse("search"), {"q": "initech"}).text
        assert client.get(reverse("asset-detail", args=[asset.slug])).status_code == 200
        logged = client.post(reverse("asset-use", args=[asset.slug]), {"deal": deal.pk, "action": "emailed"})
    assert logged.status_code in (200, 302)
    assert UsageEvent.objects.filter(deal=deal, asset=asset, action="emailed").exists()


@pytest.mark.django_db
def test_an_admin_version_upload_is_saved_and_its_text_extraction_waits_for_the_worker(
    client, marketer, redis_down, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    upload_file = SimpleUploadedFile("globex.txt", b"Globex churn analysis", content_type="text/plain")
    with answers_fast(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:assets_asset_add"), asset_form(**{"versions-0-file": upload_file})
        )
    assert response.status_code == 302
    version = Asset.objects.get(slug="globex-case-study").current_version
    assert version.number == 1 and version.text == ""
    assert PendingTask.objects.filter(task="assets.tasks.extract_version_text", args=[version.pk]).exists()
    page = client.get(reverse("admin:assets_asset_change", args=[version.asset_id]))
    assert page.status_code == 200 and "Text extraction: waiting for the worker" in page.text


@pytest.mark.django_db
def test_an_admin_import_upload_is_saved_and_its_page_says_it_waits_for_the_worker(
    client, marketer, redis_down, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with answers_fast(), django_capture_on_commit_callbacks(execute=True):
        response = upload(client, native_zip())
    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.QUEUED
    assert PendingTask.objects.filter(task="enablement.tasks.import_run", args=[run.pk]).exists()
    page = client.get(reverse("admin:enablement_importrun_change", args=[run.pk]))
    assert page.status_code == 200 and WAITING in page.text
    assert "<progress" not in page.text


@pytest.mark.django_db
def test_an_import_completes_with_its_counts_when_the_cache_cannot_keep_its_progress(marketer, redis_down):
    from enablement.importers.runs import import_run_execute

    run = ImportRun.objects.create(format="native", file=native_zip())
    with answers_fast():
        run = import_run_execute(run_id=run.pk)
    assert run.status == ImportStatus.DONE, run.errors
    assert run.counts["deals.csv"]["created"] == 3


@pytest.mark.django_db
def test_a_running_imports_page_shows_without_progress_when_the_cache_is_down(client, marketer, redis_down):
    from enablement.importers.liveness import worker_identity

    run = ImportRun.objects.create(
        format="native", file=native_zip(), status=ImportStatus.RUNNING, worker=worker_identity()
    )
    client.force_login(marketer)
    page = client.get(reverse("admin:enablement_importrun_change", args=[run.pk]))
    assert page.status_code == 200 and "Status: Running" in page.text


@pytest.mark.django_db
def test_an_analytics_run_computes_with_the_cache_down(redis_down, caplog):
    """On SQLite without its lock, and says so; on PostgreSQL under the database's lock (skipped
    while another run holds it: tests/enablement/analytics/test_run_lock.py)."""
    from enablement.analytics.engine import analytics_compute
    from tests.conftest import using_postgres

    with caplog.at_level(logging.WARNING, logger="enablement.analytics.engine"):
        run = analytics_compute()
    assert run is not None and AnalyticsRun.objects.get() == run
    assert ("without the lock" in caplog.text) is not using_postgres()


@pytest.mark.django_db(transaction=True)
def test_import_crm_writes_its_rows_prints_its_counts_and_says_the_refresh_waits(redis_down):
    out, err = StringIO(), StringIO()
    with answers_fast():
        call_command("import_crm", "native", FIXTURES / "native", "--no-progress", stdout=out, stderr=err)
    printed = out.getvalue()
    assert "deals.csv" in printed and "Import complete." in printed
    assert "The analytics refresh is waiting for the worker" in printed
    assert Deal.objects.count() == 3
    assert PendingTask.objects.filter(task="enablement.tasks.analytics_refresh_after_import").exists()


@pytest.mark.django_db
def test_a_re_import_that_changes_nothing_queues_no_refresh(redis_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_crm", "native", FIXTURES / "native", "--no-progress", stdout=StringIO())
    assert PendingTask.objects.exists()  # the first import's refresh waits for the worker
    PendingTask.objects.all().delete()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_crm", "native", FIXTURES / "native", "--no-progress", stdout=out)
    assert "Import complete." in out.getvalue() and "waiting for the worker" not in out.getvalue()
    assert not PendingTask.objects.exists()


@pytest.mark.celery_worker
def test_work_left_pending_while_redis_was_down_runs_once_it_is_back(client, celery_worker, marketer):
    client.force_login(marketer)
    with redis_stopped():
        assert upload(client, native_zip()).status_code == 200
        asset = AssetFactory(title="Globex battlecard")
        version = asset_version_add(
            asset=asset, file=ContentFile(b"Globex churn analysis", name="globex.txt")
        )
    run = ImportRun.objects.get()
    assert PendingTask.objects.count() == 2 and run.status == ImportStatus.QUEUED

    pending_tasks_send.delay()  # what beat sends every minute (and a worker does when it starts)

    wait_until(
        lambda: ImportRun.objects.get(pk=run.pk).status not in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        seconds=60,
        what="the worker to run the import that waited",
    )
    wait_until(
        lambda: AssetVersion.objects.get(pk=version.pk).text,
        seconds=60,
        what="the text extraction that waited",
    )
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE, run.errors
    assert run.counts["deals.csv"]["created"] == 3
    assert "Globex churn analysis" in AssetVersion.objects.get(pk=version.pk).text
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_an_admin_import_upload_answers_and_waits_for_the_worker_when_redis_hangs(
    client, marketer, django_capture_on_commit_callbacks
):
    # Redis accepting connections but answering nothing (overloaded, or a half-open connection after a
    # fail-over) must not hold the request past gunicorn's 30 s: killed there, the run stays Queued
    # for ever with no pending task to send it again.
    client.force_login(marketer)
    with redis_hung(), answers_within(HUNG_FAST_SECONDS), django_capture_on_commit_callbacks(execute=True):
        response = upload(client, native_zip())
    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.QUEUED
    assert PendingTask.objects.filter(task="enablement.tasks.import_run", args=[run.pk]).exists()


@pytest.mark.django_db
def test_an_admin_version_upload_answers_and_waits_for_the_worker_when_redis_hangs(
    client, marketer, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    upload_file = SimpleUploadedFile("globex.txt", b"Globex churn analysis", content_type="text/plain")
    with redis_hung(), answers_within(HUNG_FAST_SECONDS), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:assets_asset_add"), asset_form(**{"versions-0-file": upload_file})
        )
    assert response.status_code == 302
    version = Asset.objects.get(slug="globex-case-study").current_version
    assert PendingTask.objects.filter(task="assets.tasks.extract_version_text", args=[version.pk]).exists()
