"""The monthly bulletin schedule: when it is due, retries, failures, and a real django-q2 cluster."""

import datetime
import zoneinfo

import pytest
from django.test import override_settings
from wagtail.models import Site

from core import schedules
from disclosures import bulletins, tasks
from disclosures.models import BulletinBuildFailure, BulletinPage, BulletinSettings
from tests.conftest import running_cluster

from .bulletin_helpers import fake_stats

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour):
    return datetime.datetime(2026, 11, day, hour, 5, tzinfo=SHANGHAI)


def configure(build_day, build_hour, publish_directly=False):
    config = BulletinSettings.for_site(Site.objects.get(is_default_site=True))
    config.build_day, config.build_hour, config.publish_directly = build_day, build_hour, publish_directly
    config.save()
    return config


def test_schedule_is_registered_by_the_app():
    spec = schedules.registered()[tasks.CHECK_SCHEDULE]
    assert spec["func"] == "disclosures.tasks.check_monthly_bulletins"
    assert spec["schedule_type"] == "I" and spec["minutes"] == tasks.CHECK_MINUTES


def test_is_due_once_the_day_and_hour_have_come():
    config = BulletinSettings(build_day=3, build_hour=6)
    assert not tasks.is_due(at(2, 23), config)
    assert not tasks.is_due(at(3, 5), config)
    assert tasks.is_due(at(3, 6), config)
    assert tasks.is_due(at(17, 0), config)  # missed the day (downtime): still built later in the month


@pytest.mark.django_db
def test_check_builds_only_missing_bulletins_of_last_month_when_due(monkeypatch):
    monkeypatch.setattr(
        bulletins, "compute", lambda center, period: fake_stats(center.code if center else "all", period)
    )
    configure(3, 6, publish_directly=True)
    now = at(3, 7)
    period = bulletins.previous_period(now.date())
    assert tasks.check_monthly_bulletins(now=at(3, 5), sync=True) == []  # not yet
    BulletinPage.objects.filter(period=period).delete()
    bulletins.build_bulletin(period, "city", publish=False)
    built = tasks.check_monthly_bulletins(now=now, sync=True)
    assert "city" not in built and "dongcheng" in built and "all" in built
    assert BulletinPage.objects.filter(period=period).count() == len(bulletins.targets())
    assert BulletinPage.objects.live().filter(period=period, center__code="dongcheng").exists()  # publish_directly
    assert tasks.check_monthly_bulletins(now=now, sync=True) == []  # nothing left to do


@pytest.mark.django_db
@override_settings(BULLETIN_BUILD_RETRY_DELAYS=(0, 0))
def test_build_is_retried_before_it_fails(monkeypatch):
    attempts = []

    def flaky(center, period):
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("database went away")
        return fake_stats("dongcheng", period)

    monkeypatch.setattr(bulletins, "compute", flaky)
    result = tasks.build_with_retries("2025-05", "dongcheng", False)
    assert result["attempts"] == 3
    assert not BulletinBuildFailure.objects.filter(period="2025-05-01").exists()


@pytest.mark.django_db
@override_settings(BULLETIN_BUILD_RETRY_DELAYS=(0,))
def test_failure_is_recorded_once_per_bulletin_and_shown_in_the_admin(monkeypatch, client, admin_user):
    # force_login has no client address; django-axes would log "unknown", which PostgreSQL's
    # inet column rejects, so sign-in bookkeeping is off for this login only.
    with override_settings(AXES_ENABLED=False):
        client.force_login(admin_user)
    admin_client = client

    def broken(center, period):
        raise RuntimeError("statistics unavailable")

    monkeypatch.setattr(bulletins, "compute", broken)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            tasks.build_with_retries("2025-04", "dongcheng", False)
    failures = BulletinBuildFailure.objects.filter(period="2025-04-01", resolved=False)
    assert failures.count() == 1
    failure = failures.get()
    assert "statistics unavailable" in failure.error and "Traceback" in failure.traceback
    page = admin_client.get("/admin/bulletin-failures/")
    assert page.status_code == 200
    assert "statistics unavailable" in page.content.decode()
    dashboard = admin_client.get("/admin/").content.decode()
    assert "通报生成失败" in dashboard
    admin_client.post("/admin/bulletin-failures/", {"resolve": failure.pk})
    failure.refresh_from_db()
    assert failure.resolved


def _due_now():
    local = datetime.datetime.now(SHANGHAI)
    return local.day, 0  # due from midnight of today


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_cluster_runs_the_schedule_and_builds_last_months_bulletins(demo_site):
    from django.utils import timezone

    from disclosures import statistics

    day, hour = _due_now()
    configure(min(day, 28), hour, publish_directly=True)
    period = bulletins.previous_period()
    for page in BulletinPage.objects.filter(period=period):  # whatever an earlier seed left
        page.delete()
    schedules.ensure_schedules()
    started = timezone.now()
    expected = len(bulletins.targets())
    with running_cluster() as cluster:
        cluster.wait_for(lambda: BulletinPage.objects.live().filter(period=period).count() == expected, timeout=300)
    city = BulletinPage.objects.get(period=period, center__isnull=True)
    assert city.generated_at >= started
    assert city.pdf is not None and city.pdf.file.size > 10_000
    assert city.counts == statistics.compute("all", period)["counts"]
    assert not BulletinBuildFailure.objects.filter(resolved=False).exists()


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_cluster_records_a_failed_build(demo_site):
    day, hour = _due_now()
    configure(min(day, 28), hour)
    schedules.ensure_schedules()
    expected = len(bulletins.targets())
    # qcluster_failing_statistics: `manage.py qcluster` whose statistics always raise.
    with running_cluster(command=("-m", "tests.disclosures.qcluster_failing_statistics")) as cluster:
        cluster.wait_for(lambda: BulletinBuildFailure.objects.filter(resolved=False).count() == expected, timeout=180)
    failure = BulletinBuildFailure.objects.filter(center__isnull=True).get()
    assert failure.period == bulletins.previous_period()
    assert "statistics unavailable" in failure.error
    assert not BulletinPage.objects.exists()
