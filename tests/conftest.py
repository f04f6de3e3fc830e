"""Shared fixtures: the demo organisation and site, a real django-q2 cluster."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
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


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """The page cache is on in tests as in production: pages an earlier test cached (from data
    since rolled back) are never served to the next one."""
    from portal import pagecache

    pagecache.bump_now(pagecache.PAGES, pagecache.DATA, pagecache.ROUTES)


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language: a request with the English cookie activates English
    for the thread (as Django's LocaleMiddleware does), which must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo_site(db):
    """Centers, departments, the home page and site settings (portal part of seed_demo)."""
    from portal import demo

    return demo.seed()


@pytest.fixture
def centers(demo_site):
    from portal.models import ServiceCenter

    return {center.code: center for center in ServiceCenter.objects.all()}


class ClusterProcess:
    """A real `manage.py qcluster` started by a test, in its own session so it is stopped by PID."""

    def __init__(self, process, log_path, q_timeout):
        self.process = process
        self.pid = process.pid
        self.log_path = log_path
        self.q_timeout = q_timeout

    def log(self):
        return Path(self.log_path).read_text(encoding="utf-8", errors="replace")

    def check_alive(self):
        """Fail at once (with the cluster's output) when its process has ended."""
        code = self.process.poll()
        if code is not None:
            pytest.fail(f"qcluster (pid {self.pid}) exited with status {code}:\n{self.log()[-3000:]}")

    def wait_for(self, predicate, timeout=60, interval=0.5):
        """Poll like wait_for, failing fast if the cluster process has died meanwhile."""
        return wait_for(predicate, timeout=timeout, interval=interval, alive=self.check_alive)

    def wait_exit(self, timeout):
        """The exit status, or None if the process still runs after `timeout` seconds."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace=None):
        """SIGTERM, then SIGKILL to its whole process group after the grace period: never hangs."""
        grace = self.q_timeout + 10 if grace is None else grace
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            if self.wait_exit(grace) is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Workers the wrapper could not reach (it was killed) are in the same process group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        return self.process.returncode


def _database_url():
    """The URL of the database this test process uses (the test database, after setup)."""
    from urllib.parse import quote

    from django.db import connection

    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = quote(config.get("USER") or "")
    password = f":{quote(config['PASSWORD'])}" if config.get("PASSWORD") else ""
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{user}{password}@{config.get('HOST') or '127.0.0.1'}{port}/{config['NAME']}"


def subprocess_env(**extra):
    """Environment for a `manage.py` subprocess that works on this test's database and queue."""
    from django.conf import settings

    return {
        **os.environ,
        "GONGKAI_TEST_RUN_ID": settings.TEST_RUN_ID,
        "DATABASE_URL": _database_url(),
        "PYTHONUNBUFFERED": "1",
        **{key: str(value) for key, value in extra.items()},
    }


@contextlib.contextmanager
def running_cluster(q_timeout=120, guard_cycle=30, workers=2, extra_env=None, command=("manage.py", "qcluster")):
    """Start a real `manage.py qcluster` (the production command) on this test's database and queue.

    The guard cycle is raised to 30 s so that the scheduler runs on the cluster's first guard
    loop instead of after half a minute; everything else is the production code path. The
    cluster is stopped by its PID (SIGTERM, then SIGKILL to its process group after a grace
    period), so a cluster that does not stop cannot hang the test run. `command` is run by this
    Python from the project directory (a test module may wrap `qcluster` to break something).
    """
    from django.conf import settings
    from django.db import connections
    from django_q.brokers import get_broker

    get_broker().purge_queue()
    connections.close_all()
    env = subprocess_env(
        Q_TIMEOUT=q_timeout, Q_RETRY=q_timeout + 30, Q_WORKERS=workers, Q_GUARD_CYCLE=guard_cycle, **(extra_env or {})
    )
    log_path = Path(settings.STATE_DIR) / f"test-qcluster-{settings.TEST_RUN_ID}-{time.monotonic_ns()}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, *command],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    cluster = ClusterProcess(process, log_path, q_timeout)
    try:
        cluster.wait_for(lambda: "任务队列已启动" in cluster.log(), timeout=90, interval=0.2)
        yield cluster
    finally:
        cluster.stop()
        log_path.unlink(missing_ok=True)


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


def wait_for(predicate, timeout=60, interval=0.5, alive=None):
    """Poll until predicate() is truthy; returns its value or fails with a timeout.

    `alive`, when given, is called first on every round and fails the test itself (a cluster
    whose process died), so a dead helper process is reported at once instead of at timeout.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None:
            alive()
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


# Hard time limits (pytest-timeout): pyproject.toml sets the default for every test; a test that
# starts a real cluster gets more (it waits for schedules and stops the cluster by PID).
CLUSTER_TEST_TIMEOUT = 600


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("cluster") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(CLUSTER_TEST_TIMEOUT))


def pytest_configure(config):
    """SIGTERM (CI's overall time limit, a developer's kill) ends the run like Ctrl-C: the running
    test's `finally` blocks and fixtures still stop the processes it started."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


# The tests running right now, one per line, in the file GONGKAI_RUNNING_TESTS names (.ci/run sets
# it): when a run is stopped from outside for taking too long, that file names the stuck test.
# With pytest-xdist the controller receives every worker's start and finish.
_running = {}


def _write_running():
    target = os.environ.get("GONGKAI_RUNNING_TESTS")
    if not target or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    lines = [
        f"{nodeid} (running since {time.strftime('%H:%M:%S UTC', time.gmtime(t))})" for nodeid, t in _running.items()
    ]
    Path(target).write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def pytest_runtest_logstart(nodeid, location):
    _running[nodeid] = time.time()
    _write_running()


def pytest_runtest_logfinish(nodeid, location):
    _running.pop(nodeid, None)
    _write_running()


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
        # pytest-xdist workers add "_gw<n>" to the name.
        for leftover in test_db.parent.glob(test_db.name + "*"):
            if leftover.name.endswith(("-wal", "-shm", "-journal")):
                leftover.unlink(missing_ok=True)
    index = Path(settings.SEARCH_INDEX_PATH).resolve()
    if not (index.is_relative_to(var) and index.name.startswith("test-")):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        index.with_name(index.name + suffix).unlink(missing_ok=True)
    # The embedded index is a link to generation files beside it (search/backends/embedded_store.py).
    for generation in index.parent.glob(index.name + ".gen-*"):
        generation.unlink(missing_ok=True)
