"""Bulk actions that respect the workflow: submit many items for review, set their review date;
another department's items are listed as not allowed and left alone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from guides.models import GuidePage
from portal.models import EditorialRole
from tests.portal.editorial_support import editorial_roles, item_in, make_editor  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]


def bulk_url(action, pages):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
    return url + "?" + "&".join(f"id={page.pk}" for page in pages)


def in_review(page):
    return WorkflowState.objects.filter(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS).first()


def test_window_staff_submit_many_of_their_items_and_never_another_departments(client):
    window = make_editor("bulk_window", EditorialRole.WINDOW, "city", "scjg")
    mine = [item_in("city", "scjg", offset=10), item_in("city", "scjg", offset=11)]
    theirs = item_in("city", "gaj", offset=0)
    client.force_login(window)
    url = bulk_url("gongkai_submit_for_review", [*mine, theirs])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "您无权提交以下页面" in body and theirs.title in body
    response = client.post(url, {})
    assert response.status_code == 302
    for item in mine:
        state = in_review(item)
        assert state is not None and state.current_task_state.task.name.endswith("部门审核")
    assert in_review(theirs) is None


def test_set_review_date_goes_through_review_for_window_staff_and_publishes_for_admins(client):
    window = make_editor("bulk_window2", EditorialRole.WINDOW, "city", "scjg")
    admin = make_editor("bulk_admin", EditorialRole.CENTER_ADMIN, "city")
    day = timezone.localdate() - datetime.timedelta(days=3)
    first, second = item_in("city", "scjg", offset=12), item_in("city", "scjg", offset=13)
    before = GuidePage.objects.get(pk=first.pk).last_reviewed

    client.force_login(window)
    response = client.post(bulk_url("gongkai_set_review_date", [first]), {"last_reviewed": day.isoformat()})
    assert response.status_code == 302
    assert GuidePage.objects.get(pk=first.pk).last_reviewed == before  # not live until approved
    assert in_review(first) is not None
    assert GuidePage.objects.get(pk=first.pk).get_latest_revision().as_object().last_reviewed == day

    client.force_login(admin)
    response = client.post(bulk_url("gongkai_set_review_date", [second]), {"last_reviewed": day.isoformat()})
    assert response.status_code == 302
    assert GuidePage.objects.get(pk=second.pk).last_reviewed == day

    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(bulk_url("gongkai_set_review_date", [second]), {"last_reviewed": future})
    assert response.status_code == 200 and "不能晚于今天" in response.content.decode()
