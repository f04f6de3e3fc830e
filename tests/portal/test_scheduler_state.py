"""The dashboard warns while the task cluster sends no heartbeat; /healthz reports its state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal import scheduler_state
from portal.models import SchedulerHeartbeat
from tests.conftest import only_schedule_due, running_cluster

WARNING = "定时任务未运行：定时发布和月度通报不会执行"


@pytest.mark.django_db
def test_dashboard_warns_when_no_heartbeat_was_ever_seen(admin_client):
    SchedulerHeartbeat.objects.all().delete()
    page = admin_client.get("/admin/").content.decode()
    assert WARNING in page
    assert "从未收到任务队列的心跳" in page


@pytest.mark.django_db
def test_dashboard_warns_after_two_minutes_without_heartbeat_and_not_before(admin_client):
    SchedulerHeartbeat.objects.create(
        name=scheduler_state.cluster_name(), seen_at=timezone.now() - timedelta(seconds=100)
    )
    assert WARNING not in admin_client.get("/admin/").content.decode()
    SchedulerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(seconds=125))
    page = admin_client.get("/admin/").content.decode()
    assert WARNING in page
    assert "已超过 2 分钟" in page


@pytest.mark.django_db
def test_a_heartbeat_of_another_cluster_does_not_count(admin_client):
    SchedulerHeartbeat.objects.all().delete()
    SchedulerHeartbeat.objects.create(name="some-other-cluster", seen_at=timezone.now())
    assert WARNING in admin_client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_healthz_reports_the_scheduler_without_failing_the_site(client):
    SchedulerHeartbeat.objects.all().delete()
    body = client.get("/healthz").json()
    assert body["scheduler"]["running"] is False
    assert body["scheduler"]["last_heartbeat"] is None
    assert body["status"] == "ok"
    scheduler_state.beat()
    body = client.get("/healthz").json()
    assert body["scheduler"]["running"] is True
    assert 0 <= body["scheduler"]["age_seconds"] < 5
    assert body["scheduler"]["stale_after_seconds"] == 120


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_a_running_cluster_beats_and_the_warning_goes_away(demo_site, admin_user, client):
    from core.schedules import ensure_schedules

    SchedulerHeartbeat.objects.all().delete()
    ensure_schedules()
    only_schedule_due("scheduler-heartbeat", in_seconds=0)
    with running_cluster() as cluster:
        cluster.wait_for(lambda: scheduler_state.state()["running"], timeout=120)
    beat = SchedulerHeartbeat.objects.get()
    assert beat.pid and beat.pid != cluster.pid  # written by a worker of the cluster
    client.force_login(admin_user)
    assert WARNING not in client.get("/admin/").content.decode()
    assert client.get("/healthz").json()["scheduler"]["running"] is True
