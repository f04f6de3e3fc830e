"""Scheduled publishing and expiry: bad times are refused with a Chinese message and nothing is
saved; a real django-q2 cluster publishes a notice when its time comes and removes it at expiry."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision

from portal.models import EditorialRole, NoticeIndexPage, NoticePage
from tests.conftest import only_schedule_due, running_cluster
from tests.portal.editorial_support import editorial_roles, make_editor, page_form_data  # noqa: F401


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def notice_and_admin(db, editorial_roles):  # noqa: F811
    admin = make_editor("s_admin", EditorialRole.CENTER_ADMIN, "city")
    index = NoticeIndexPage.objects.get(center__code="city")
    notice = NoticePage(title="定时测试通知", slug="t-sched", category="notice")
    index.add_child(instance=notice)
    notice.save_revision().publish()
    return notice, admin


@pytest.mark.django_db
def test_go_live_in_the_past_is_refused(client, notice_and_admin):
    notice, admin = notice_and_admin
    client.force_login(admin)
    revisions = Revision.page_revisions.filter(object_id=str(notice.pk)).count()
    data = page_form_data(notice, admin, title="不应保存", go_live_at=local(timezone.now() - timedelta(days=1)))
    data["action-publish"] = "1"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[notice.pk]), data)
    assert response.status_code == 200
    assert "定时发布时间" in response.content.decode() and "已经过去" in response.content.decode()
    notice.refresh_from_db()
    assert notice.title == "定时测试通知"
    assert Revision.page_revisions.filter(object_id=str(notice.pk)).count() == revisions


@pytest.mark.django_db
def test_go_live_in_the_past_is_refused_for_an_item_too(client, editorial_roles):  # noqa: F811
    from guides.models import GuidePage

    admin = make_editor("s_item_admin", EditorialRole.CENTER_ADMIN, "city")
    item = GuidePage.objects.live().filter(center__code="city").first()
    client.force_login(admin)
    revisions = Revision.page_revisions.filter(object_id=str(item.pk)).count()
    data = page_form_data(item, admin, go_live_at=local(timezone.now() - timedelta(hours=3)))
    data["action-publish"] = "1"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[item.pk]), data)
    assert response.status_code == 200
    assert "已经过去" in response.content.decode()
    assert Revision.page_revisions.filter(object_id=str(item.pk)).count() == revisions


@pytest.mark.django_db
def test_expiry_in_the_past_is_refused_by_wagtail_in_chinese(client, notice_and_admin):
    notice, admin = notice_and_admin
    client.force_login(admin)
    data = page_form_data(notice, admin, expire_at=local(timezone.now() - timedelta(hours=2)))
    data["action-publish"] = "1"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[notice.pk]), data)
    assert response.status_code == 200
    assert "过期日期/时间必须是未来时间" in response.content.decode()
    notice.refresh_from_db()
    assert notice.expire_at is None


@pytest.mark.django_db
def test_future_schedule_is_accepted(client, notice_and_admin):
    notice, admin = notice_and_admin
    client.force_login(admin)
    go_live = timezone.now() + timedelta(days=2)
    data = page_form_data(notice, admin, title="两天后发布", go_live_at=local(go_live))
    data["action-publish"] = "1"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[notice.pk]), data)
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "定时测试通知"  # the live version is unchanged until then
    assert notice.get_latest_revision().approved_go_live_at is not None


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_real_cluster_publishes_a_scheduled_notice_and_expires_it(client, demo_site):
    from core.schedules import ensure_schedules
    from portal.models import ServiceCenter
    from portal.roles import center_notice_index

    index = center_notice_index(ServiceCenter.objects.get(code="city"))
    notice = NoticePage(title="一分钟后上线的通知", slug="t-cluster", category="announcement", live=False)
    index.add_child(instance=notice)
    notice.go_live_at = timezone.now() + timedelta(seconds=2)
    notice.expire_at = timezone.now() + timedelta(seconds=40)
    notice.save_revision().publish()
    notice.refresh_from_db()
    assert not notice.live
    assert client.get("/notices/city/t-cluster/").status_code == 404

    ensure_schedules()
    only_schedule_due("wagtail-publish-scheduled", in_seconds=3)
    with running_cluster() as cluster:
        cluster.wait_for(lambda: NoticePage.objects.get(pk=notice.pk).live, timeout=120)
        assert client.get("/notices/city/t-cluster/").status_code == 200
        cluster.wait_for(lambda: NoticePage.objects.get(pk=notice.pk).expired, timeout=180)
    notice.refresh_from_db()
    assert not notice.live
    assert client.get("/notices/city/t-cluster/").status_code == 404
