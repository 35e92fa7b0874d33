"""An error no importer expects (a bug, the database gone) still ends an admin import as failed with a
message, and the command with one line and a non-zero exit, never a traceback or a run left running."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from assets.models import FunnelStage
from enablement.choices import ImportStatus
from enablement.models import Deal, ImportRun
from tests.enablement.importing import damage_zip_member, import_refused, native_zip

pytestmark = pytest.mark.django_db


def failing_import(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly\nThis probably means the server died")


def test_an_admin_import_that_raises_anything_ends_as_failed_with_a_message(monkeypatch, caplog):
    from enablement.tasks import import_run

    monkeypatch.setattr("enablement.importers.runs.run_import", failing_import)
    run = ImportRun.objects.create(format="native", file=native_zip())
    with caplog.at_level(logging.ERROR, logger="enablement.importers.runs"):
        assert import_run(run.pk) == ImportStatus.FAILED
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.finished_at is not None
    assert run.errors == (
        "The import stopped on an unexpected error (OperationalError: server closed the connection "
        "unexpectedly); nothing was written."
    )
    assert "Traceback" in caplog.text and "server closed the connection" in caplog.text


def test_an_admin_upload_of_a_zip_with_a_bad_crc_ends_as_failed_naming_the_file(
    client, marketer, django_capture_on_commit_callbacks
):
    damaged = damage_zip_member(native_zip().read(), "deals.csv")
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        upload = SimpleUploadedFile("crm-export.zip", damaged, content_type="application/zip")
        client.post("/admin/enablement/importrun/add/", {"format": "native", "file": upload})
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.errors == (
        "deals.csv (crm-export.zip: deals.csv): the file cannot be read: Bad CRC-32 for file 'deals.csv'."
    )
    assert not Deal.objects.exists()
    assert not FunnelStage.objects.filter(slug="technical-validation").exists()  # read before deals.csv


def test_the_command_answers_an_unexpected_error_with_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr("enablement.management.commands.import_crm.run_import", failing_import)
    message, _ = import_refused("native", str(tmp_path))
    assert message == (
        "The import stopped on an unexpected error (OperationalError: server closed the connection "
        "unexpectedly); nothing was written. Run again with --traceback for the details."
    )
