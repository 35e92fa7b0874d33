"""Tasks the broker refused wait in the database and are sent once, when a worker starts or beat runs."""

from __future__ import annotations

import threading
from contextlib import nullcontext

import pytest
from celery.signals import worker_ready
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction

from assets.models import AssetVersion
from assets.services import asset_version_add
from config.celery_app import app as celery_app
from config.outbox.models import PendingTask
from config.outbox.services import enqueue, pending_tasks_send
from enablement.tasks import analytics_refresh_after_import
from tests.factories import AssetFactory
from tests.outage import redis_stopped


def version_waiting_for_the_worker(capture_on_commit=None) -> AssetVersion:
    """A version uploaded while Redis was down. Inside a test's transaction, pass
    django_capture_on_commit_callbacks so the task is queued (and refused) before Redis is back."""
    with redis_stopped(), capture_on_commit(execute=True) if capture_on_commit else nullcontext():
        return asset_version_add(
            asset=AssetFactory(), file=ContentFile(b"Initech pricing sheet", name="pricing.txt")
        )


@pytest.mark.django_db
def test_a_task_the_broker_refuses_is_kept_with_its_arguments_countdown_and_reason(
    redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(analytics_refresh_after_import, countdown=30)
    row = PendingTask.objects.get()
    assert (row.task, row.args, row.kwargs, row.countdown, row.attempts) == (
        "enablement.tasks.analytics_refresh_after_import",
        [],
        {},
        30,
        1,
    )
    assert "OperationalError" in row.last_error and "127.0.0.1:1" in row.last_error


@pytest.mark.django_db
def test_a_task_is_kept_with_the_write_that_queued_it_even_if_the_process_dies_before_sending(
    django_capture_on_commit_callbacks,
):
    with redis_stopped(), django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = asset_version_add(
            asset=AssetFactory(), file=ContentFile(b"Hooli battlecard", name="hooli.txt")
        )
    assert len(callbacks) == 1  # the publish that a crash after the commit would never run
    row = PendingTask.objects.get()  # yet the task was stored with the version, in its transaction
    assert (row.task, row.args, row.attempts) == ("assets.tasks.extract_version_text", [version.pk], 0)

    pending_tasks_send()  # beat's next minute (tasks run in-process here)

    assert "Hooli battlecard" in AssetVersion.objects.get(pk=version.pk).text
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_a_task_queued_by_a_write_that_rolls_back_is_never_kept(redis_down):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(analytics_refresh_after_import, countdown=30)
        raise RuntimeError("the write failed")
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_pending_tasks_run_when_a_worker_starts_and_are_then_forgotten(django_capture_on_commit_callbacks):
    version = version_waiting_for_the_worker(django_capture_on_commit_callbacks)
    assert PendingTask.objects.count() == 1 and version.text == ""

    worker_ready.send(sender=None)  # tasks run in-process here, as a worker would run them

    assert "Initech pricing sheet" in AssetVersion.objects.get(pk=version.pk).text
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_a_pending_task_the_broker_still_refuses_stays_and_counts_the_attempt(
    django_capture_on_commit_callbacks,
):
    version_waiting_for_the_worker(django_capture_on_commit_callbacks)
    with redis_stopped():
        assert pending_tasks_send() == 0
    row = PendingTask.objects.get()
    assert row.attempts == 2 and "127.0.0.1:1" in row.last_error


@pytest.mark.django_db
def test_a_row_naming_an_unknown_task_is_kept_with_the_reason_and_the_others_are_sent(
    django_capture_on_commit_callbacks,
):
    PendingTask.objects.create(task="assets.tasks.renamed_since", args=[1])
    version = version_waiting_for_the_worker(django_capture_on_commit_callbacks)
    assert pending_tasks_send() == 1
    assert AssetVersion.objects.get(pk=version.pk).text != ""
    row = PendingTask.objects.get()
    assert row.task == "assets.tasks.renamed_since" and "No task named" in row.last_error


def test_beat_sends_pending_tasks_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["resend-tasks-waiting-for-the-worker"]
    assert entry["schedule"] == 60
    celery_app.loader.import_default_modules()  # what a worker does when it starts: discover tasks
    assert entry["task"] in celery_app.tasks


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_another_sender_is_sending_is_skipped_not_sent_twice():
    version = version_waiting_for_the_worker()
    held, release = threading.Event(), threading.Event()

    def other_worker_sending() -> None:
        with transaction.atomic():
            list(PendingTask.objects.select_for_update())
            held.set()
            release.wait(20)
        connection.close()

    other = threading.Thread(target=other_worker_sending)
    other.start()
    try:
        assert held.wait(20)
        assert pending_tasks_send() == 0
        assert AssetVersion.objects.get(pk=version.pk).text == ""
    finally:
        release.set()
        other.join()
    assert pending_tasks_send() == 1
    assert AssetVersion.objects.get(pk=version.pk).text != ""
