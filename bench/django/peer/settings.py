"""settings.py — the peer as a Django shop would deploy it for an API: DEBUG off, DRF with
bearer-token authentication and JSON only (no browsable API), SQLite with beian's settings
(WAL, synchronous=FULL, foreign keys, temp_store in memory, set on every connection), persistent
database connections (CONN_MAX_AGE), no sessions, messages or CSRF (a token API uses none).

PEER_DB names the database file, PEER_FORM the pack's form.json the document schema is derived from.
"""
import os
import tempfile

from django.db.backends.signals import connection_created

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(BASE_DIR))

SECRET_KEY = os.environ.get("PEER_SECRET_KEY", "bench-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework.authtoken",
    "filings",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "peer.urls"
WSGI_APPLICATION = "peer.wsgi.application"
AUTH_USER_MODEL = "filings.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PEER_DB", os.path.join(tempfile.gettempdir(), "beian-django-peer.sqlite3")),
        "OPTIONS": {"timeout": 30},   # busy timeout, seconds: writers of the other workers wait
        "CONN_MAX_AGE": None,         # keep the connection for the worker's life
    }
}
PEER_FORM = os.environ.get("PEER_FORM", os.path.join(REPO, "policy", "cn-cloud", "form.json"))

USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
USE_I18N = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["filings.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}


def _sqlite_pragmas(sender, connection, **kwargs):
    """beian's settings (src/store/sqlite.c) on every new SQLite connection."""
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=FULL")
            c.execute("PRAGMA foreign_keys=ON")
            c.execute("PRAGMA temp_store=MEMORY")


connection_created.connect(_sqlite_pragmas)
