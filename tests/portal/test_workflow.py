"""The review workflow through Wagtail's admin views: window staff submit, the department reviewer
approves, the center admin approves and the item goes live; a rejection goes back with its comment.
Every step is in Wagtail's audit log with who and when."""

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry, TaskState, WorkflowState

from portal.models import EditorialRole, NoticeIndexPage
from tests.portal.editorial_support import editorial_roles, item_in, make_editor, page_form_data  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]


@pytest.fixture
def people(db):
    return {
        "window": make_editor("wf_window", EditorialRole.WINDOW, "city", "scjg"),
        "reviewer": make_editor("wf_reviewer", EditorialRole.REVIEWER, "city", "scjg"),
        "admin": make_editor("wf_admin", EditorialRole.CENTER_ADMIN, "city"),
        "other_reviewer": make_editor("wf_reviewer_gaj", EditorialRole.REVIEWER, "city", "gaj"),
    }


def submit(client, user, page, **changes):
    client.force_login(user)
    data = page_form_data(page, user, **changes)
    data["action-submit"] = "1"
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def act(client, user, page, action, comment=""):
    client.force_login(user)
    state = TaskState.objects.get(workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS).specific
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.pk])
    return client.post(url, {"comment": comment})


def test_departments_and_notices_have_their_workflows():
    item = item_in("city", "scjg")
    workflow = item.get_workflow()
    assert workflow is not None
    tasks = [task.specific for task in workflow.tasks]
    assert [task.name for task in tasks] == [
        "临江市政务服务中心 · 市场监督管理局 · 部门审核",
        "临江市政务服务中心 · 中心审批",
    ]
    assert [g.name for g in tasks[0].groups.all()] == ["临江市政务服务中心 · 市场监督管理局 · 部门审核"]
    assert [g.name for g in tasks[1].groups.all()] == ["临江市政务服务中心 · 中心管理员"]
    notices = NoticeIndexPage.objects.get(center__code="city")
    assert [task.name for task in notices.get_workflow().tasks] == ["临江市政务服务中心 · 中心审批"]


def test_submit_approve_approve_publishes(client, people):
    page = item_in("city", "scjg", offset=1)
    old_days = page.promised_days or 5
    new_days = old_days - 1 if old_days > 1 else old_days + 1
    statutory = max(page.statutory_days or new_days, new_days)
    response = submit(client, people["window"], page, promised_days=str(new_days), statutory_days=str(statutory))
    assert response.status_code == 302, response.context and response.context["form"].errors
    page.refresh_from_db()
    state = WorkflowState.objects.get(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.current_task_state.task.name.endswith("部门审核")
    assert page.promised_days != new_days  # still the live version

    # A reviewer of another department cannot act on it.
    act(client, people["other_reviewer"], page, "approve")
    assert WorkflowState.objects.get(pk=state.pk).current_task_state.task.name.endswith("部门审核")

    assert act(client, people["reviewer"], page, "approve", "材料齐全").status_code == 302
    state.refresh_from_db()
    assert state.current_task_state.task.name.endswith("中心审批")
    page.refresh_from_db()
    assert page.promised_days != new_days

    assert act(client, people["admin"], page, "approve").status_code == 302
    state.refresh_from_db()
    page.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert page.live and page.promised_days == new_days

    actions = list(
        PageLogEntry.objects.filter(page=page, timestamp__gte=state.created_at)
        .order_by("timestamp", "pk")
        .values_list("action", "user__username")
    )
    assert ("wagtail.workflow.start", "wf_window") in actions
    assert ("wagtail.workflow.approve", "wf_reviewer") in actions
    assert ("wagtail.workflow.approve", "wf_admin") in actions
    assert ("wagtail.publish", "wf_admin") in actions


def test_rejection_goes_back_to_the_editor_with_the_comment(client, people):
    page = item_in("city", "scjg", offset=2)
    submit(client, people["window"], page, acceptance_conditions="新的受理条件")
    act(client, people["reviewer"], page, "reject", "请补充法律依据的条款号")
    state = WorkflowState.objects.filter(object_id=str(page.pk)).latest("created_at")
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    rejected = state.task_states.get(status=TaskState.STATUS_REJECTED)
    assert rejected.comment == "请补充法律依据的条款号"
    entry = PageLogEntry.objects.filter(page=page, action="wagtail.workflow.reject").latest("timestamp")
    assert entry.user.username == "wf_reviewer"
    assert entry.data["comment"] == "请补充法律依据的条款号"
    page.refresh_from_db()
    assert page.acceptance_conditions != "新的受理条件"  # nothing published

    # The editor sees the comment on the edit page.
    people["window"].refresh_from_db()
    client.force_login(people["window"])
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert "请补充法律依据的条款号" in response.content.decode()


def test_validation_applies_at_submission(client, people):
    page = item_in("city", "scjg", offset=3)
    statutory = page.statutory_days or 10
    response = submit(client, people["window"], page, statutory_days=str(statutory), promised_days=str(statutory + 5))
    assert response.status_code == 200
    assert "不能超过法定办结时限" in response.content.decode()
    assert not WorkflowState.objects.filter(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS).exists()


def test_window_staff_cannot_publish_directly(client, people):
    page = item_in("city", "scjg", offset=4)
    client.force_login(people["window"])
    data = page_form_data(page, people["window"], title=page.title + "（改）")
    data["action-publish"] = "1"
    client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    page.refresh_from_db()
    assert not page.title.endswith("（改）")


def test_deletion_by_center_admin_is_logged(client, people):
    page = item_in("city", "scjg", offset=5)
    client.force_login(people["admin"])
    response = client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    assert response.status_code == 302
    entry = PageLogEntry.objects.get(page_id=page.pk, action="wagtail.delete")
    assert entry.user.username == "wf_admin" and entry.timestamp is not None
