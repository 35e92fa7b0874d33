"""WSGI entry point for gunicorn: `gunicorn config.wsgi`."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

from config.request_bodies import ChunkedBodies  # noqa: E402  (reads settings: after the setup)

# Bodies sent in chunks without a Content-Length reach Django whole (config.request_bodies).
application = ChunkedBodies(django_application)
