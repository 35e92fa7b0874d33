"""Settings come from the environment, and a bad value stops start-up with the variable's name."""

from __future__ import annotations

import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_broker, env_database, env_int
from tests.config.processes import start_django


def test_start_up_fails_naming_database_url_when_it_is_not_a_database_url():
    result = start_django(DJANGO_DEBUG="true", DATABASE_URL="mysql://root@localhost/shop")
    assert result.returncode != 0
    assert "DATABASE_URL='mysql://root@localhost/shop' is not a database URL" in result.stderr


def test_start_up_fails_naming_database_url_when_its_port_is_not_a_number():
    result = start_django(DJANGO_DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:port/test")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "Port could not be cast" in result.stderr


def test_start_up_without_secret_key_outside_debug_names_the_variable():
    result = start_django()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_start_up_with_debug_and_no_other_variable_succeeds():
    result = start_django(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("value", ["", "bogus", "postgres://localhost", "redis://localhost/0"])
def test_env_database_rejects_values_that_are_not_supported_databases(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", value or "nothing")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_database("DATABASE_URL", "sqlite:///var/db.sqlite3")


def test_env_database_reads_postgres_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    config = env_database("DATABASE_URL", "sqlite:///unused")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("test", "127.0.0.1", 5432)


def test_env_database_defaults_to_the_embedded_sqlite_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env_database("DATABASE_URL", "sqlite:////srv/app/var/db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/app/var/db.sqlite3"


@pytest.mark.parametrize("value", ["http://localhost:6379", "redis://localhost:six/0"])
def test_env_broker_rejects_bad_broker_urls(monkeypatch, value):
    monkeypatch.setenv("CELERY_BROKER_URL", value)
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL"):
        env_broker("CELERY_BROKER_URL")


def test_env_broker_unset_means_tasks_run_in_process(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    assert env_broker("CELERY_BROKER_URL") is None


def test_env_bool_refuses_words_that_are_not_booleans(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='maybe' is not a boolean"):
        env_bool("DJANGO_DEBUG", False)
    monkeypatch.setenv("DJANGO_DEBUG", "TRUE")
    assert env_bool("DJANGO_DEBUG", False) is True


# The production variables (docs/operations.md, Production set-up, step 2), with a strong generated key.
PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://enablement@db.internal:5432/enablement",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "DJANGO_ALLOWED_HOSTS": "enablement.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://enablement.example.com",
    "MEDIA_ROOT": "/srv/enablement/media",
}


def test_deploy_check_reports_nothing_with_the_documented_production_variables():
    result = start_django("--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_turning_the_https_settings_down_is_reported_by_the_deploy_check():
    down = {
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
    }
    result = start_django("--deploy", "--fail-level", "WARNING", **PRODUCTION, **down)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr, warning


def test_hsts_flags_turned_off_are_reported_by_the_deploy_check():
    off = {"DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "false", "DJANGO_SECURE_HSTS_PRELOAD": "false"}
    result = start_django("--deploy", "--fail-level", "WARNING", **PRODUCTION, **off)
    assert result.returncode != 0
    assert "security.W005" in result.stderr and "security.W021" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("DJANGO_SECURE_HSTS_SECONDS", "a year", "is not a whole number"),
        ("DJANGO_SECURE_HSTS_SECONDS", "-1", "is too small: use 0 or more"),
        ("DJANGO_SECURE_SSL_REDIRECT", "sometimes", "is not a boolean"),
        ("LOGIN_FAILURE_LIMIT", "0", "is too small: use 1 or more"),
        ("LOGIN_LOCKOUT_MINUTES", "half an hour", "is not a whole number"),
    ],
)
def test_start_up_fails_naming_a_bad_deployment_or_lockout_variable(variable, value, reason):
    result = start_django(**PRODUCTION, **{variable: value})
    assert result.returncode != 0
    assert f"{variable}={value!r} {reason}" in result.stderr


def test_env_int_refuses_a_number_below_its_minimum(monkeypatch):
    monkeypatch.setenv("LOGIN_FAILURE_LIMIT", "-3")
    with pytest.raises(ImproperlyConfigured, match="LOGIN_FAILURE_LIMIT='-3' is too small"):
        env_int("LOGIN_FAILURE_LIMIT", 30, minimum=1)
    monkeypatch.setenv("LOGIN_FAILURE_LIMIT", "1")
    assert env_int("LOGIN_FAILURE_LIMIT", 30, minimum=1) == 1
