"""Test settings: the real settings with only what makes tests fast and hermetic changed.

Tests run with DEBUG off (Django forces it anyway), so the environment they would otherwise need is given
defaults here, before the settings module reads it: a throwaway key and plain HTTP for the test client.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-key-not-used-anywhere-else-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from connectivity.settings import *
from connectivity.settings import CACHES, CELERY_BROKER_URL, DATABASES, STORAGES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# Eager, the KPI page's debounced refresh would run after every commit of a transactional test (each of a browser
# test's 223 factory-made issues recomputed every figure): the tests of that path turn it on themselves.
KPI_REFRESH_AFTER_WRITES = False
# No collectstatic before tests: serve static files from the app folders, unhashed.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Tests that start a real worker on the embedded broker must not share a running `make run`'s queue.
if CELERY_BROKER_URL.startswith("sqla+sqlite"):
    CELERY_BROKER_URL = f"sqla+sqlite:///{VAR_DIR / 'test_broker.sqlite3'}"

# One SQLite test database per test process (a file, so a real worker process can open it too): two test runs
# at once, or pytest-xdist workers, never share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")}

# pytest-xdist: each worker process has its own test database (pytest-django adds `_gw<N>` to its name), and its
# own Redis cache database, since every test starts by clearing the cache (a FLUSHDB): worker N > 0 takes the
# configured database number minus N. Tests that use the broker run in one worker (tests/conftest.py).
_xdist_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
if _xdist_worker and CACHES["default"]["BACKEND"].endswith("RedisCache"):
    _location, _, _db = CACHES["default"]["LOCATION"].rpartition("/")
    CACHES = {"default": {**CACHES["default"], "LOCATION": f"{_location}/{(int(_db or 0) - _xdist_worker) % 16}"}}
