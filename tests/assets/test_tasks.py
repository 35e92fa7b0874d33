"""The review-reminder task, in-process and on a real worker."""

from __future__ import annotations

import pytest
from django.core import mail

from assets.tasks import remind_review_due
from tests.factories import AssetFactory, UserFactory


def make_due_assets():
    owner = UserFactory(email="owner@example.com")
    AssetFactory(title="Stale deck", owner=owner, review_by="2020-01-01")
    AssetFactory(title="Stale FAQ", owner=owner, review_by="2021-06-30")
    AssetFactory(title="Fresh deck", owner=owner, review_by="2999-01-01")
    AssetFactory(title="Old draft", owner=owner, review_by="2020-01-01", draft=True)


@pytest.mark.django_db
def test_review_reminder_mails_each_owner_their_overdue_published_assets():
    make_due_assets()
    assert remind_review_due.delay().get() == 1
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["owner@example.com"]
    assert "Stale deck" in body and "Stale FAQ" in body
    assert "Fresh deck" not in body and "Old draft" not in body


@pytest.mark.celery_worker
def test_review_reminder_runs_on_a_real_worker_through_the_broker(celery_worker):
    make_due_assets()
    result = remind_review_due.delay()
    assert result.get(timeout=30) == 1
    assert mail.outbox[0].subject == "2 asset(s) due for review"
