"""Settings for the pytest suite: fast hashing, mail kept in memory.

Tests keep their files (embedded database, cache, broker folders, media) under var/test,
apart from a site started with ``make run`` on the same checkout.
"""

import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("VAR_DIR", str(Path(__file__).resolve().parent.parent.parent / "var" / "test"))
# The embedded test server (var/test/postgres) skips fsync: its data is thrown away anyway.
os.environ.setdefault("EMBEDDED_DB_DURABLE", "0")

from .base import *  # noqa: E402, F403
from .base import CACHES, LOGGING, REDIS_URL, VAR_DIR  # noqa: E402


class CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes. pytest swaps stderr for each test and
    closes the old one; a server thread that logs after its test ("GET … 200") would find the handler's
    stream closed and print "--- Logging error ---" instead."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


LOGGING = {**LOGGING, "handlers": {"console": {"()": CurrentStderrHandler, "formatter": "plain"}}}

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if "EMAIL_URL" not in os.environ:
    # Kept in memory, unless a test starts a worker that mails a real SMTP server on loopback.
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
if not REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    # Each pytest-xdist worker (and the Celery workers its tests start) its own file cache: a cache.clear()
    # in one test must not empty another's. (With Redis, tests/conftest.py puts those tests on one worker.)
    CACHES["default"]["LOCATION"] = str(VAR_DIR / "cache" / os.environ["PYTEST_XDIST_WORKER"])
