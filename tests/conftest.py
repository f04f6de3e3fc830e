"""Shared fixtures: the demo organisation and site, a real django-q2 cluster."""

import contextlib
import shutil
import time
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the small demo site (two centers, ~200 items) for every db test.

    Transactional tests (browser, cluster) run last and flush it; they seed what they need.
    """
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("seed_demo", "--small", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def static_root():
    """WhiteNoise warns about a missing STATIC_ROOT; tests serve static files from the finders."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def demo_site(db):
    """Centers, departments, the home page and site settings (portal part of seed_demo)."""
    from portal import demo

    return demo.seed()


@pytest.fixture
def centers(demo_site):
    from portal.models import ServiceCenter

    return {center.code: center for center in ServiceCenter.objects.all()}


@contextlib.contextmanager
def running_cluster():
    """Start a real django-q2 cluster against the configured broker (ORM, or Redis when set).

    The guard cycle is raised to 30 s so that the scheduler runs on the cluster's first guard
    loop instead of after half a minute; everything else is the production code path.
    """
    from django.db import connections
    from django_q.brokers import get_broker
    from django_q.cluster import Cluster
    from django_q.conf import Conf

    old_cycle = Conf.GUARD_CYCLE
    Conf.GUARD_CYCLE = 30
    broker = get_broker()
    broker.purge_queue()
    # Close after purging: a forked child must never inherit the parent's open connection
    # (a shared SQLite handle across fork gives "disk I/O error" in the pusher).
    connections.close_all()
    cluster = Cluster(broker)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        Conf.GUARD_CYCLE = old_cycle


def only_schedule_due(name, in_seconds=1):
    """Make schedule `name` due shortly and hold every other schedule for a day.

    A cluster test of one job must not have the monthly bulletin build (a long write) start
    beside it: on SQLite that holds the database lock past the job's timeout.
    """
    from datetime import timedelta

    from django.utils import timezone
    from django_q.models import Schedule

    now = timezone.now()
    Schedule.objects.exclude(name=name).update(next_run=now + timedelta(days=1))
    assert Schedule.objects.filter(name=name).update(next_run=now + timedelta(seconds=in_seconds)) == 1


def wait_for(predicate, timeout=60, interval=0.5):
    """Poll until predicate() is truthy; returns its value or fails with a timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's embedded search index (var/test-search-<pid>.sqlite3) and media when done.

    Only a file under var/ whose name starts with "test-" is removed, never a configured index.
    """
    from django.conf import settings

    if not settings.configured:
        return
    var = (Path(settings.BASE_DIR) / "var").resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    if media.is_relative_to(var) and media.name.startswith("test-media-"):
        shutil.rmtree(media, ignore_errors=True)
    # Django removes the test database file; SQLite's WAL files beside it are left behind.
    test_db = Path(str(settings.DATABASES["default"].get("TEST", {}).get("NAME") or "")).resolve()
    if test_db.is_relative_to(var) and test_db.name.startswith("test-") and not test_db.exists():
        for suffix in ("-wal", "-shm", "-journal"):
            test_db.with_name(test_db.name + suffix).unlink(missing_ok=True)
    index = Path(settings.SEARCH_INDEX_PATH).resolve()
    if not (index.is_relative_to(var) and index.name.startswith("test-")):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        index.with_name(index.name + suffix).unlink(missing_ok=True)
    # The embedded index is a link to generation files beside it (search/backends/embedded.py).
    for generation in index.parent.glob(index.name + ".gen-*"):
        generation.unlink(missing_ok=True)
