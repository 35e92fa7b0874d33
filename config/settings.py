"""Settings, read from the environment only (12-factor). See docs/operations.md, "Configuration"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config import content_policy
from config.api import settings as api_settings
from config.env import (
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_positive_int,
    env_str,
)

# HTTPS in production: secure cookies, the redirect and HSTS (config/https.py).
from config.https import (  # noqa: F401 - settings, read by Django from this module
    CSRF_COOKIE_SECURE,
    SECURE_HSTS_INCLUDE_SUBDOMAINS,
    SECURE_HSTS_PRELOAD,
    SECURE_HSTS_SECONDS,
    SECURE_PROXY_SSL_HEADER,
    SECURE_SSL_REDIRECT,
    SESSION_COOKIE_SECURE,
)

# Outgoing mail: every EMAIL_* variable, checked, with a timeout (config/mail.py).
from config.mail import (  # noqa: F401 - settings, read by Django from this module
    DEFAULT_FROM_EMAIL,
    EMAIL_BACKEND,
    EMAIL_HOST,
    EMAIL_HOST_PASSWORD,
    EMAIL_HOST_USER,
    EMAIL_PORT,
    EMAIL_TIMEOUT,
    EMAIL_USE_SSL,
    EMAIL_USE_TLS,
)

# Celery and the cache it shares with the pages: a broker when CELERY_BROKER_URL is set (config/queue.py).
from config.queue import (  # noqa: F401 - settings, read by Django from this module
    CACHES,
    CELERY_BEAT_SCHEDULE,
    CELERY_BROKER_CONNECTION_TIMEOUT,
    CELERY_BROKER_TRANSPORT_OPTIONS,
    CELERY_BROKER_URL,
    CELERY_RESULT_BACKEND,
    CELERY_TASK_ACKS_LATE,
    CELERY_TASK_ALWAYS_EAGER,
    CELERY_TASK_EAGER_PROPAGATES,
    CELERY_TASK_PUBLISH_RETRY_POLICY,
    CELERY_TASK_TIME_LIMIT,
    CELERY_WORKER_PREFETCH_MULTIPLIER,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (or DJANGO_DEBUG=true for local use).")
    SECRET_KEY = "insecure-local-development-key"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taggit",
    "adminsortable2",
    "assets",
    "assets.renditions",
    "enablement",
    "config.outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware, which has checked the host (a 400 with the outer middlewares' headers,
    # as for a Host header naming it): config/hosts.py only writes an allowed host into the header.
    "config.hosts.HostHeaderMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.audit.context.AuditMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.private_responses.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: an embedded SQLite file unless DATABASE_URL says otherwise.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the dev server's threads and in-process tasks share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    # Uploads are never public: file URLs lead to a view that checks who may see them.
    "default": {"BACKEND": "config.storage.PrivateFileStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (after collectstatic); plain finders when debugging.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Content Security Policy (django-csp) on every page: config/content_policy.py. Its middleware sits
# before axes' so the lockout page has it too.
INSTALLED_APPS += ["csp"]
MIDDLEWARE += ["csp.middleware.CSPMiddleware"]
CONTENT_SECURITY_POLICY = content_policy.CONTENT_SECURITY_POLICY

# Login lockout (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one username lock it, on the
# portal's login and the admin's, for LOGIN_LOCKOUT_MINUTES (0: until an admin deletes the access
# attempt in the admin). Failures are kept in the database, not the cache, so a Redis outage neither
# opens the door nor loses the count. Locked by username, not IP address: reps share office
# addresses behind NAT, so an IP lock would shut a whole office out for one person's typos, and an
# attacker rotating addresses would never be stopped. The price, that anyone can lock a known
# username for a while, is bounded by the cool-off; each attempt while locked restarts it.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked username is refused before any password check
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes asks: it turns a lockout into the page
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns when the IP address is not a lockout parameter (it fears locks keyed by user agent or
# cookie, which an attacker changes at will; a username lock does not move). Behind the proxy every
# request would also come from the proxy's own address, so an IP lock would shut out everybody.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 30, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=0)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES) if LOGIN_LOCKOUT_MINUTES else None
AXES_RESET_ON_SUCCESS = True  # typos spread over weeks never add up to a lock
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
# Days a login's (and a failed attempt's) IP address and user agent are kept (config/lockout.py).
LOGIN_RECORDS_RETENTION_DAYS = env_positive_int("LOGIN_RECORDS_RETENTION_DAYS", 30)
AXES_VERBOSE = False  # no banner on every manage.py command; failures are still logged

# Deal rooms: days a buyer's visits (and the page times in them) are kept before they are deleted.
ROOM_VISIT_RETENTION_DAYS = env_positive_int("ROOM_VISIT_RETENTION_DAYS", 365)
# What one room can make its rep hear in an hour, and visits one client may begin in it without the
# buyer cookie (docs/using/buyer.md); counted in the database, so a Redis outage changes nothing.
ROOM_NOTIFICATIONS_PER_HOUR = env_positive_int("ROOM_NOTIFICATIONS_PER_HOUR", 10)
ROOM_SUMMARY_EMAILS_PER_HOUR = env_positive_int("ROOM_SUMMARY_EMAILS_PER_HOUR", 10)
ROOM_COOKIELESS_VISITS_PER_HOUR = env_positive_int("ROOM_COOKIELESS_VISITS_PER_HOUR", 20)
# Seconds a visit's summary waits after its page said goodbye: a buyer back within them (Back, a
# reload) continues the same visit, and the rep gets one summary of the whole sitting.
ROOM_SUMMARY_DELAY_SECONDS = env_int("ROOM_SUMMARY_DELAY_SECONDS", 120, minimum=0)
# Proxies of ours in front of gunicorn that append to X-Forwarded-For (config/client_address.py): the
# deal rooms' gate limits guesses per client address, which behind a proxy only this header tells.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0, minimum=0)

# Sign-in (SSO), provisioning (SCIM), the audit trail and webhooks: config/integrations.py.
from config.integrations import *  # noqa: E402, F403

INSTALLED_APPS += INTEGRATION_APPS  # noqa: F405

# The ideal buyer profile: whether the person who proposed a version may approve it (a team of one).
PROFILE_SELF_APPROVAL = env_bool("PROFILE_SELF_APPROVAL", False)

# Imports uploaded in the admin: how often the worker says it is alive, and how long without a word
# before its run is taken as stopped (docs/using/admin.md, "The admin").
IMPORT_HEARTBEAT_SECONDS = env_positive_int("IMPORT_HEARTBEAT_SECONDS", 15)
IMPORT_WORKER_LOST_SECONDS = env_positive_int("IMPORT_WORKER_LOST_SECONDS", 180)

# Analytics (docs/analytics-method.md): "enough data" and the false-discovery threshold.
ANALYTICS_MIN_DEALS = env_int("ANALYTICS_MIN_DEALS", 20)
ANALYTICS_Q_THRESHOLD = 0.05
# Seconds a buyer must read an asset in a deal's rooms (over the visits of a stay) for the `read` kind.
ANALYTICS_READ_SECONDS = env_positive_int("ANALYTICS_READ_SECONDS", 30)
# The analytics run's own working memory on PostgreSQL (SET LOCAL: that transaction only), the
# overlap a refresh re-reads for clocks and transactions in flight, and how many touched deals
# make a refresh a full run.
ANALYTICS_WORK_MEM = env_str("ANALYTICS_WORK_MEM", "256MB")
ANALYTICS_REFRESH_OVERLAP = env_int("ANALYTICS_REFRESH_OVERLAP", 120)
ANALYTICS_REFRESH_MAX_DEALS = env_int("ANALYTICS_REFRESH_MAX_DEALS", 2000)

REST_FRAMEWORK = api_settings.rest_framework(rate=env_str("API_RATE", "1200/minute"))
SPECTACULAR_SETTINGS = api_settings.SPECTACULAR_SETTINGS

# Hostile input (docs/api.md, "Input limits"): JSON bodies are checked by one parser (depth, NUL, lone
# surrogates) and the API reads JSON only; NUL in paths, query strings and cookies, and API bodies over
# DATA_UPLOAD_MAX_MEMORY_SIZE, are refused by one middleware before any view runs.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "config.input_hygiene.InputHygieneMiddleware",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # A line per task is noise when tasks run in-process inside commands; workers log their own.
    # axes logs each successful login at INFO; its failures and lockouts are WARNINGs.
    "loggers": {
        "celery.app.trace": {"level": "WARNING"},
        "kombu": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

# Uploads and file serving (docs/operations.md, "Files"). Files are only ever sent by views that check who may
# see them; in production the web server can send the bytes after that check (X-Accel-Redirect for
# nginx, X-Sendfile for Apache), from a location that is internal, never a public MEDIA_ROOT.
UPLOAD_MAX_MB = env_positive_int("UPLOAD_MAX_MB", 100)
# A product is "Insight Edge": tags are separated by commas only, never by spaces (assets/tags.py).
TAGGIT_TAGS_FROM_STRING = "assets.tags.tags_from_string"
TAGGIT_STRING_FROM_TAGS = "assets.tags.string_from_tags"
# Renditions (docs/operations.md): Office files become PDFs through LibreOffice, one at a time per
# worker, stopped after RENDITION_TIMEOUT seconds; LIBREOFFICE names its soffice (empty: none, and
# Office files are shown as their text).
LIBREOFFICE = env_str("LIBREOFFICE", "soffice")
RENDITION_TIMEOUT = env_positive_int("RENDITION_TIMEOUT", 120)
RENDITION_MAX_PAGES = env_positive_int("RENDITION_MAX_PAGES", 1000)
FILE_SERVE_ACCEL = env_choice("FILE_SERVE_ACCEL", "", ["", "x-accel-redirect", "x-sendfile"])
FILE_SERVE_ACCEL_PREFIX = env_str("FILE_SERVE_ACCEL_PREFIX", "/protected-media/")
if FILE_SERVE_ACCEL == "x-accel-redirect" and not (
    FILE_SERVE_ACCEL_PREFIX.startswith("/") and FILE_SERVE_ACCEL_PREFIX.endswith("/")
):
    raise ImproperlyConfigured(
        f"FILE_SERVE_ACCEL_PREFIX={FILE_SERVE_ACCEL_PREFIX!r} must be a path that starts and ends with /."
    )
