"""Fixtures shared by the whole suite.

Tests that need a real service are marked and skip with a reason when it is absent:
`postgres` (DATABASE_URL is PostgreSQL) and `celery_worker` (CELERY_BROKER_URL names a broker).
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection

from config.celery_app import app as celery_app


def using_postgres() -> bool:
    return django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def broker_configured() -> bool:
    return not django_settings.CELERY_BROKER_URL.startswith("memory://")


def _commits(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or any(
        name in fixtures for name in ("transactional_db", "live_server", "celery_worker")
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that commit run last, as Django runs TransactionTestCase last: their teardown flushes
    the database, and the tests that run inside a transaction should find it as migrated."""
    items.sort(key=_commits)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not using_postgres():
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://… (as .ci/run does)")
    if item.get_closest_marker("celery_worker") and not broker_configured():
        pytest.skip("needs a Celery broker: set CELERY_BROKER_URL=redis://… (as .ci/run does)")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run in-process unless the test asks for the real worker."""
    eager = request.node.get_closest_marker("celery_worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def celery_worker(transactional_db):
    """A real worker consuming from the configured broker, in a thread of this process.

    It shares the test database, so the data a test commits is what the task sees.
    """
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=20
    ) as worker:
        yield worker
    connection.close()


@pytest.fixture
def rep(db):
    from tests.factories import UserFactory

    return UserFactory(role="Reps")


@pytest.fixture
def marketer(db):
    from tests.factories import UserFactory

    return UserFactory(role="Marketing", is_staff=True)


@pytest.fixture
def admin_user(db):
    from tests.factories import UserFactory

    return UserFactory(role="Admins", is_staff=True, is_superuser=True)


@pytest.fixture
def redis_down():
    """Broker and cache unreachable for the test (see tests/outage.py)."""
    from tests.outage import redis_stopped

    with redis_stopped():
        yield


@pytest.fixture(autouse=True)
def _cache_breakers_closed():
    """A test that took the cache down leaves the API's throttle breaker open for 30 s: not for the
    next test, which may count requests in a working cache."""
    from enablement.api import tokens

    tokens.throttle_breaker.closed_at = 0.0
