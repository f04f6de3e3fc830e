"""Scheduled publishing and expiry are atomic and retried: a crash or a held database lock
leaves the schedule as it was, and the next run publishes (nothing is lost)."""

import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from wagtail.signals import page_published, page_unpublished

from portal.models import NoticePage
from portal.schedules import ScheduledWorkFailed, publish_scheduled
from tests.conftest import subprocess_env


def _scheduled_notice(slug, go_live_in=timedelta(seconds=-1)):
    """A notice approved to go live `go_live_in` from now (already due by default), not live."""
    from portal.models import ServiceCenter
    from portal.roles import center_notice_index

    index = center_notice_index(ServiceCenter.objects.get(code="city"))  # made again after a flush
    notice = NoticePage(title=f"定时通知 {slug}", slug=slug, category="notice", live=False)
    index.add_child(instance=notice)
    notice.go_live_at = timezone.now() + timedelta(minutes=5)
    revision = notice.save_revision()
    revision.publish()  # scheduled: approved_go_live_at set, not live
    due = timezone.now() + go_live_in  # as if the scheduled time had come
    revision.refresh_from_db()
    revision.content["go_live_at"] = due.isoformat()
    revision.approved_go_live_at = due
    revision.save(update_fields=["content", "approved_go_live_at"])
    notice.refresh_from_db()
    assert not notice.live
    return notice, revision


def _still_scheduled(notice, revision):
    notice.refresh_from_db()
    revision.refresh_from_db()
    return not notice.live and revision.approved_go_live_at is not None


class Crash(Exception):
    pass


@pytest.mark.django_db
def test_a_crash_while_publishing_leaves_the_schedule_and_the_next_run_publishes(demo_site):
    notice, revision = _scheduled_notice("t-crash")

    def crash(sender, **kwargs):
        raise Crash("disk full")

    page_published.connect(crash)
    try:
        with pytest.raises(ScheduledWorkFailed, match="disk full"):
            publish_scheduled(attempts=1)
    finally:
        page_published.disconnect(crash)
    assert _still_scheduled(notice, revision)  # Wagtail's own command cleared the go-live time here
    publish_scheduled()
    notice.refresh_from_db()
    assert notice.live and notice.live_revision_id == revision.pk
    revision.refresh_from_db()
    assert revision.approved_go_live_at is None
    publish_scheduled()  # idempotent: nothing left to do
    assert NoticePage.objects.get(pk=notice.pk).live


@pytest.mark.django_db
def test_a_crash_while_expiring_leaves_the_page_live_until_the_next_run(demo_site):
    notice, _revision = _scheduled_notice("t-expire")
    publish_scheduled()
    NoticePage.objects.filter(pk=notice.pk).update(expire_at=timezone.now() - timedelta(seconds=1))

    def crash(sender, **kwargs):
        raise Crash("connection reset")

    page_unpublished.connect(crash)
    try:
        with pytest.raises(ScheduledWorkFailed):
            publish_scheduled(attempts=1)
    finally:
        page_unpublished.disconnect(crash)
    notice.refresh_from_db()
    assert notice.live and not notice.expired
    publish_scheduled()
    notice.refresh_from_db()
    assert not notice.live and notice.expired


def _hold_write_lock(path):
    """Another writer: a connection of its own holding SQLite's write lock until rolled back."""
    holder = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE django_q_schedule SET repeats = repeats")
    return holder


def _run_job(timeout_seconds):
    return subprocess.run(
        [sys.executable, "manage.py", "publish_scheduled"],
        cwd=settings.BASE_DIR,
        env=subprocess_env(SQLITE_BUSY_TIMEOUT=timeout_seconds),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single write lock (PostgreSQL locks rows)")
@pytest.mark.django_db(transaction=True)
def test_a_job_run_while_another_writer_holds_the_sqlite_lock_loses_nothing(demo_site):
    notice, revision = _scheduled_notice("t-locked")
    path = connection.settings_dict["NAME"]

    holder = _hold_write_lock(path)
    try:
        held = _run_job(timeout_seconds=0.5)  # gives up after its retries while the lock stays held
    finally:
        holder.rollback()
        holder.close()
    assert held.returncode != 0
    assert "保持原计划" in held.stderr and "locked" in held.stderr
    assert "Traceback" not in held.stderr
    assert _still_scheduled(notice, revision)

    holder = _hold_write_lock(path)  # a writer that finishes while the job waits for it
    release = threading.Timer(2.0, lambda: (holder.rollback(), holder.close()))
    started = time.monotonic()
    release.start()
    try:
        waited = _run_job(timeout_seconds=30)
    finally:
        release.join()
    assert waited.returncode == 0, waited.stderr
    assert time.monotonic() - started >= 2.0
    notice.refresh_from_db()
    assert notice.live and notice.live_revision_id == revision.pk
