"""django-q2: schedules exist after migrate, and a real cluster runs Wagtail's scheduled publishing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import only_schedule_due, running_cluster


@pytest.mark.django_db
def test_publish_schedule_is_registered_every_minute():
    from django_q.models import Schedule

    from core.schedules import ensure_schedules

    ensure_schedules()
    ensure_schedules()  # idempotent
    schedule = Schedule.objects.get(name="wagtail-publish-scheduled")
    assert schedule.func == "portal.schedules.publish_scheduled"
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 1
    assert Schedule.objects.filter(name="wagtail-publish-scheduled").count() == 1


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_real_cluster_publishes_a_scheduled_page_and_runs_queued_tasks(demo_site):
    from django_q.models import Success
    from django_q.tasks import async_task

    from core.schedules import ensure_schedules
    from portal.models import StandardPage

    page = demo_site.add_child(instance=StandardPage(title="定时发布的页面", slug="scheduled", live=False))
    page.go_live_at = timezone.now() + timedelta(seconds=1)
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live and page.has_unpublished_changes

    ensure_schedules()
    only_schedule_due("wagtail-publish-scheduled")
    with running_cluster() as cluster:
        task_id = async_task("math.floor", 2.5)
        cluster.wait_for(lambda: Success.objects.filter(id=task_id).exists(), timeout=60)
        cluster.wait_for(lambda: StandardPage.objects.get(pk=page.pk).live, timeout=90)
    assert Success.objects.get(id=task_id).result == 2
    assert Success.objects.filter(func="portal.schedules.publish_scheduled").exists()
