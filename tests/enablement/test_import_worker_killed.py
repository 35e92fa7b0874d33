"""`kill -9` of the Celery pool process in the middle of an admin import: nothing is written, the
run ends failed with the reason within the sweep's period, and *Run again* imports it once."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse

from config.celery_app import app as celery_app
from enablement.choices import ImportStatus
from enablement.importers.models import ImportRun
from enablement.importers.runs import WORKER_STOPPED, import_runs_sweep
from enablement.models import Deal
from tests.benchmarks.native_files import write_org
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
# Long enough an import (seconds on PostgreSQL) for the worker to be killed in the middle of it.
DEALS, USAGE = 20_000, 60_000


def org_zip(folder: Path) -> SimpleUploadedFile:
    write_org(folder, DEALS, USAGE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in folder.glob("*.csv"):
            archive.write(path, path.name)
    return SimpleUploadedFile("crm-export.zip", buffer.getvalue(), content_type="application/zip")


def worker_process(log: Path) -> subprocess.Popen:
    """A real worker with a pool process of its own, on the test's database and broker."""
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "DJANGO_"))}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        DJANGO_SECRET_KEY="worker-killed-test-key",
        DJANGO_DEBUG="true",
        IMPORT_HEARTBEAT_SECONDS="1",
    )
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork"]
    command += ["--concurrency", "1", "--without-gossip", "--without-mingle", "--loglevel", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_is_killed_ends_failed_and_runs_again_once(client, admin_user, tmp_path):
    upload = org_zip(tmp_path / "org")
    celery_app.control.purge()  # nothing left over in the queue from other tests
    worker = worker_process(tmp_path / "worker.log")
    try:
        client.force_login(admin_user)
        client.post(reverse("admin:enablement_importrun_add"), {"format": "native", "file": upload})
        run = ImportRun.objects.get()
        running = wait_until(
            lambda: (
                ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING).exclude(worker="").first()
            ),
            seconds=90,
            what="the worker to start the import",
        )
        # Well inside the import: its heartbeat (every IMPORT_HEARTBEAT_SECONDS) has beaten since it began.
        wait_until(
            lambda: ImportRun.objects.filter(
                pk=run.pk, status=ImportStatus.RUNNING, heartbeat_at__gt=F("started_at")
            ).exists(),
            seconds=60,
            what="the import's heartbeat",
        )
        os.kill(int(running.worker.rsplit(":", 2)[1]), signal.SIGKILL)

        def ended() -> ImportRun | None:
            import_runs_sweep()  # what beat runs every minute
            return ImportRun.objects.filter(pk=run.pk, status=ImportStatus.FAILED).first()

        failed = wait_until(ended, seconds=60, what="the killed run to end failed")
        assert failed.errors == WORKER_STOPPED and failed.finished_at is not None
        assert not Deal.objects.exists()  # one transaction: nothing was written

        client.post(reverse("admin:enablement_importrun_run_again", args=[run.pk]))
        retry = ImportRun.objects.get(retry_of=run)
        done = wait_until(
            lambda: ImportRun.objects.filter(pk=retry.pk, status__in=["done", "failed"]).first(),
            seconds=300,
            what="the run to run again",
        )
        assert done.status == ImportStatus.DONE, done.errors
        assert Deal.objects.count() == DEALS == done.counts["deals.csv"]["created"]
        assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.FAILED
    finally:
        worker.terminate()
        worker.wait(30)
