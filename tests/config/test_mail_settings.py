"""Mail is configured from the environment: host, port, credentials, TLS and a timeout, each checked
at start-up with the variable named."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.config.processes import ROOT, start_django

MAIL = {
    "DJANGO_DEBUG": "true",
    "EMAIL_HOST": "smtp.example.com",
    "EMAIL_PORT": "587",
    "EMAIL_HOST_USER": "enablement@example.com",
    "EMAIL_HOST_PASSWORD": "s3cret",
    "EMAIL_USE_TLS": "true",
    "EMAIL_TIMEOUT": "7",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def test_every_mail_variable_reaches_the_smtp_backend():
    script = (
        "import django, json; django.setup();"
        "from django.core.mail import get_connection; c = get_connection();"
        "print(json.dumps([c.host, c.port, c.username, c.password, c.use_tls, c.use_ssl, c.timeout]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "true",
            **MAIL,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "smtp.example.com",
        587,
        "enablement@example.com",
        "s3cret",
        True,
        False,
        7,
    ]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT='smtp' is not a whole number."),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT=70000 is not a port"),
        ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT=0 must be a whole number of at least 1."),
        ({"EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS='maybe' is not a boolean"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_TLS and EMAIL_USE_SSL are both true"),
    ],
)
def test_a_bad_mail_variable_stops_start_up_naming_it(variables, message):
    result = start_django(DJANGO_DEBUG="true", **variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_timeout_defaults_to_ten_seconds(settings):
    assert settings.EMAIL_TIMEOUT == 10
