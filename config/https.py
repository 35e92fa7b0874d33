"""HTTPS in production, read from the environment (docs/operations.md, "Configuration").

Like the secure cookies, the redirect and HSTS follow DJANGO_DEBUG, so `check --deploy` is clean with
the production variables (docs/operations.md) while a local debug run on http://127.0.0.1 is left alone.
"""

from __future__ import annotations

from config.env import env_bool, env_int

_DEBUG = env_bool("DJANGO_DEBUG", False)

# Behind a TLS-terminating proxy in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not _DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Plain HTTP is redirected and browsers are told (HSTS) never to use it for this host. The proxy must
# set X-Forwarded-Proto (above), or every request would be redirected.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not _DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if _DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# "preload" only consents to the browsers' preload list; nothing happens until the domain's owner
# submits it there.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
