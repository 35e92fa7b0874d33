"""Outgoing mail, read from the environment with the strict readers (docs/operations.md, "Configuration").

Django's own defaults (localhost:25, no credentials, no timeout) send only through a mail server on
the same machine, and an SMTP server that accepts a connection and never answers would hold the
sender for ever: every variable is read here, and EMAIL_TIMEOUT bounds each connection.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_positive_int, env_str

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "enablement@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
if EMAIL_PORT > 65535:
    raise ImproperlyConfigured(f"EMAIL_PORT={EMAIL_PORT} is not a port: use 1 to 65535.")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both true: use EMAIL_USE_TLS for STARTTLS (port 587) "
        "or EMAIL_USE_SSL for implicit TLS (port 465), not both."
    )
EMAIL_TIMEOUT = env_positive_int("EMAIL_TIMEOUT", 10)
