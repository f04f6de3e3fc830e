"""The test overlay (pytest, pyproject.toml): base plus the isolation of each test run.

Test runs are isolated from each other by process id: their own database, queue, cache keys,
search index and media, so several runs (or developers, or pytest-xdist workers) can share one
machine, one PostgreSQL and one Redis. A process the tests start (a real `qcluster`) is handed
its parent's id in GONGKAI_TEST_RUN_ID, so that it shares them. None of this is in the path of
a running site (portal.settings.production).
"""

import os
import re
from pathlib import Path

from .base import *  # noqa: F403
from .base import (
    CACHES,
    DATABASES,
    DEV_SECRET_KEY,
    Q_CLUSTER,
    REDIS_URL,
    SECRET_KEY,
    STATE_DIR,
    STORAGES,
    env,
    rate_limits,
)

TESTING = True
PRODUCTION = False
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False

TEST_RUN_ID = env.str("GONGKAI_TEST_RUN_ID", default="") or f"{os.getpid()}"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not memory) so that a real django-q2 cluster in tests shares the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(STATE_DIR / f"test-gongkai-{TEST_RUN_ID}.sqlite3")}
    # pytest-django wraps each test in a transaction; begun IMMEDIATE it would hold the write lock
    # for the whole test, and a live server's or a thread's writes would wait for it. The
    # production mode is tested on its own connections (tests/portal/test_sqlite_transactions.py).
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "transaction_mode": "DEFERRED"}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_gongkai_{TEST_RUN_ID}"}

if REDIS_URL:
    # Each pytest-xdist worker caches in its own Redis database: a test that empties the cache
    # (clear() is FLUSHDB on Redis) never wipes another worker's counters mid-test.
    _worker = env.str("PYTEST_XDIST_WORKER", default="")
    if _worker.startswith("gw") and _worker[2:].isdigit():
        _db = 1 + int(_worker[2:]) % 15
        CACHES["default"]["LOCATION"] = re.sub(r"(/\d*)?$", f"/{_db}", REDIS_URL.rstrip("/"), count=1)
    CACHES["default"]["KEY_PREFIX"] = f"gongkai-test-{TEST_RUN_ID}"
    CACHES["ratelimit"] = {**CACHES["default"]}
    CACHES["counters"] = {**CACHES["default"]}
else:
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
    CACHES["counters"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "counters"}
Q_CLUSTER["name"] = f"gongkai-test-{TEST_RUN_ID}"
SEARCH_INDEX_PATH = env.str("SEARCH_INDEX_PATH", default=str(STATE_DIR / f"test-search-{TEST_RUN_ID}.sqlite3"))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(STATE_DIR / f"test-media-{TEST_RUN_ID}")))
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
# Generous rate limits: the rate-limit tests set their own.
RATE_LIMITS = rate_limits(100)
