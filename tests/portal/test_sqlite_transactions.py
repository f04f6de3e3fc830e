"""SQLite (the embedded default): a transaction that reads, then writes, while another process
writes, waits for the lock instead of failing with "database is locked" (transaction_mode
IMMEDIATE in portal/settings/base.py; the task cluster's heartbeat used to fail while editors
saved)."""

import threading
import time

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking")


def _wrapper(path, alias):
    """A connection as production opens it (the test overlay keeps DEFERRED for its own)."""
    from django.conf import settings
    from django.db.backends.sqlite3.base import DatabaseWrapper

    options = {**connection.settings_dict["OPTIONS"], "transaction_mode": settings.SQLITE_TRANSACTION_MODE}
    return DatabaseWrapper({**connection.settings_dict, "NAME": str(path), "OPTIONS": options}, alias=alias)


def test_read_then_write_waits_for_another_writer(tmp_path, django_db_blocker):
    from django.conf import settings
    from django.db import connections, transaction

    assert settings.SQLITE_TRANSACTION_MODE == "IMMEDIATE"
    path = tmp_path / "locks.sqlite3"
    setup, worker = (_wrapper(path, name) for name in ("setup", "worker"))
    with django_db_blocker.unblock(), setup.cursor() as cursor:
        cursor.execute("CREATE TABLE beat (n INTEGER)")
        cursor.execute("INSERT INTO beat VALUES (0)")
    setup.close()
    holding = threading.Event()
    failures = []

    def editor_saves():
        editor = connections["editor"] = _wrapper(path, "editor")  # this thread's own connection
        try:
            with transaction.atomic(using="editor"), editor.cursor() as cursor:
                cursor.execute("SELECT n FROM beat")
                cursor.fetchall()
                holding.set()  # the worker's transaction begins now, before this one writes
                time.sleep(0.3)
                cursor.execute("UPDATE beat SET n = n + 100")
                time.sleep(0.3)
        except Exception as exc:  # reported below
            failures.append(exc)
            holding.set()
        editor.close()

    connections["worker"] = worker
    with django_db_blocker.unblock():
        thread = threading.Thread(target=editor_saves)
        thread.start()
        holding.wait(5)
        with transaction.atomic(using="worker"), worker.cursor() as cursor:
            cursor.execute("SELECT n FROM beat")  # read ...
            cursor.fetchall()
            time.sleep(0.4)  # the editor writes meanwhile
            cursor.execute("UPDATE beat SET n = n + 1")  # ... then write: waits, does not fail
        thread.join(10)
        assert not failures, failures
        with worker.cursor() as cursor:
            cursor.execute("SELECT n FROM beat")
            assert cursor.fetchone()[0] == 101
        worker.close()
