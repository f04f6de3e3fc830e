"""Workflow that talks: after each action in the page editor the editor is told what happened and
where the page is now; a reviewer past the first step is warned that editing restarts review; a
center admin may “修改并批准” at the last step without sending the item back."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import WorkflowState

from guides.models import GuidePage
from portal.models import EditorialRole
from tests.portal.editorial_support import editorial_roles, item_in, make_editor, page_form_data  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]


@pytest.fixture
def people(db):
    return {
        "window": make_editor("tw_window", EditorialRole.WINDOW, "city", "scjg"),
        "reviewer": make_editor("tw_reviewer", EditorialRole.REVIEWER, "city", "scjg"),
        "admin": make_editor("tw_admin", EditorialRole.CENTER_ADMIN, "city"),
        "other_admin": make_editor("tw_admin_dc", EditorialRole.CENTER_ADMIN, "dongcheng"),
    }


def post_edit(client, user, page, action, **changes):
    client.force_login(user)
    current = GuidePage.objects.get(pk=page.pk).get_latest_revision_as_object()
    data = page_form_data(current, user, **changes)
    if not current.notes and "notes" not in changes:
        data.pop("notes", None)  # an empty rich-text field: leave it out rather than post an empty editor state
    if action == "submit":
        data["action-submit"] = "1"
    elif action in ("approve", "reject"):
        data["action-workflow-action"] = "1"
        data["workflow-action-name"] = action
    elif action == "edit-approve":
        data["action-edit-approve"] = "1"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return [str(message.message) for message in get_messages(response.wsgi_request)]


def state_of(page):
    return WorkflowState.objects.filter(object_id=str(page.pk)).order_by("-created_at", "-pk").first()


def test_each_step_says_where_the_page_is(client, people):
    page = item_in("city", "scjg", offset=2)
    said = post_edit(client, people["window"], page, "submit", acceptance_conditions="经改正的受理条件。")
    assert any("已提交审核，进入部门审核（第 1 步，共 2 步）" in text for text in said), said
    said = post_edit(client, people["reviewer"], page, "approve")
    assert any("已批准，进入中心审批（第 2 步，共 2 步）" in text for text in said), said
    said = post_edit(client, people["admin"], page, "approve")
    assert any("已批准，已发布" in text for text in said), said
    assert state_of(page).status == WorkflowState.STATUS_APPROVED
    assert GuidePage.objects.get(pk=page.pk).acceptance_conditions == "经改正的受理条件。"


def test_rejection_says_it_went_back(client, people):
    page = item_in("city", "scjg", offset=3)
    post_edit(client, people["window"], page, "submit")
    said = post_edit(client, people["reviewer"], page, "reject")
    assert any("已退回修改" in text and "部门审核（第 1 步，共 2 步）" in text for text in said), said


def test_editing_at_the_last_step_warns_and_then_says_review_restarted(client, people):
    page = item_in("city", "scjg", offset=4)
    post_edit(client, people["window"], page, "submit")
    post_edit(client, people["reviewer"], page, "approve")
    client.force_login(people["admin"])
    body = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "审核将从第 1 步重新开始" in body
    assert "修改并批准" in body  # the center admin's way out
    said = post_edit(client, people["admin"], page, "approve", place="二楼 3 号窗口")
    assert any("修改后需重新审核，已退回第 1 步（部门审核，共 2 步）" in text for text in said), said
    assert state_of(page).current_task_state.task.name.endswith("部门审核")


def test_center_admin_edit_and_approve_publishes_without_restarting(client, people):
    page = item_in("city", "scjg", offset=5)
    post_edit(client, people["window"], page, "submit")
    post_edit(client, people["reviewer"], page, "approve")
    said = post_edit(client, people["admin"], page, "edit-approve", place="二楼 5 号窗口")
    assert any("已批准，已发布" in text for text in said), said
    assert state_of(page).status == WorkflowState.STATUS_APPROVED
    assert GuidePage.objects.get(pk=page.pk).place == "二楼 5 号窗口"


def test_reviewer_at_the_first_step_gets_no_edit_and_approve(client, people):
    page = item_in("city", "scjg", offset=6)
    post_edit(client, people["window"], page, "submit")
    client.force_login(people["reviewer"])
    body = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "修改并批准" not in body
    # Forcing it is refused: the edits stay a draft and the review is where it was.
    said = post_edit(client, people["reviewer"], page, "edit-approve", place="三楼")
    assert any("无法“修改并批准”" in text for text in said), said
    assert state_of(page).current_task_state.task.name.endswith("部门审核")
    assert state_of(page).status == WorkflowState.STATUS_IN_PROGRESS


def test_dashboard_lists_what_i_sent_and_where_it_stands(client, people):
    page = item_in("city", "scjg", offset=7)
    post_edit(client, people["window"], page, "submit")
    client.force_login(people["window"])
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "我提交的审核（1 项进行中）" in body
    assert page.title in body and "审核中：部门审核（第 1 步，共 2 步）" in body
    # The reviewer sees it waiting for them; another center's admin sees neither list entry.
    client.force_login(people["reviewer"])
    assert page.title in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(people["other_admin"])  # other centers carry items of the same name: look for this one
    assert (
        reverse("wagtailadmin_pages:edit", args=[page.pk])
        not in client.get(reverse("wagtailadmin_home")).content.decode()
    )
    post_edit(client, people["reviewer"], page, "approve")
    client.force_login(people["window"])
    assert "审核中：中心审批（第 2 步，共 2 步）" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_approving_a_notice_without_editing_publishes_it(client, people):
    """A notice's date (a callable default) and rich text saved outside the editor must not count as edits."""
    from portal.models import NoticeIndexPage, NoticePage

    index = NoticeIndexPage.objects.get(center__code="city")
    notice = NoticePage(title="无需修改即可批准的通知", slug="wu-xu-xiu-gai", body="<p>正文。</p><p>特此通知。</p>")
    index.add_child(instance=notice)
    notice.save_revision(user=people["window"])
    notice.get_workflow().start(notice, people["window"])
    client.force_login(people["admin"])
    data = page_form_data(NoticePage.objects.get(pk=notice.pk), people["admin"])
    data.update({"action-workflow-action": "1", "workflow-action-name": "approve"})
    response = client.post(reverse("wagtailadmin_pages:edit", args=[notice.pk]), data)
    assert response.status_code == 302
    said = [str(m.message) for m in get_messages(response.wsgi_request)]
    assert any("已批准，已发布" in text for text in said), said
    assert NoticePage.objects.get(pk=notice.pk).live


def dashboard_action(client, user, page, action, **data):
    """What the dashboard's buttons do: POST to Wagtail's workflow-action view with next=dashboard."""
    client.force_login(user)
    client.get("/admin/")  # shows (and so clears) the messages of earlier requests
    task_state = state_of(page).current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])
    response = client.post(url, {"next": "/admin/", **data})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return [str(message.message).strip() for message in get_messages(response.wsgi_request)]


def test_dashboard_approvals_and_rejections_say_where_the_page_is(client, people):
    page = item_in("city", "scjg", offset=6)
    post_edit(client, people["window"], page, "submit")
    said = dashboard_action(client, people["reviewer"], page, "approve")
    assert said == [f"“{page.title}”：已批准，进入中心审批（第 2 步，共 2 步）。"]
    said = dashboard_action(client, people["admin"], page, "reject", comment="请补充材料")
    assert said == [f"“{page.title}”：已退回修改，等待提交人修改后重新提交（原在中心审批（第 2 步，共 2 步））。"]
    # Resubmitted edits go back to the step that asked for them; approving there restarts review
    # (the first step approved an older version), and the message says so.
    said = post_edit(client, people["window"], page, "submit", acceptance_conditions="补充后的受理条件。")
    assert any("已提交审核，进入中心审批（第 2 步，共 2 步）" in text for text in said), said
    said = dashboard_action(client, people["admin"], page, "approve")
    assert said == [f"“{page.title}”：修改后需重新审核，已退回第 1 步（部门审核，共 2 步）。"]
    # The restarted review runs both steps again: the center admin's approval that restarted it
    # does not count, so the reviewer's approval moves the page on instead of publishing it.
    said = dashboard_action(client, people["reviewer"], page, "approve")
    assert said == [f"“{page.title}”：已批准，进入中心审批（第 2 步，共 2 步）。"]
    said = dashboard_action(client, people["admin"], page, "approve")
    assert said == [f"“{page.title}”：已批准，已发布。"]
    assert GuidePage.objects.get(pk=page.pk).acceptance_conditions == "补充后的受理条件。"


def test_dashboard_approvals_through_both_steps_publish_and_say_so(client, people):
    page = item_in("city", "scjg", offset=8)
    post_edit(client, people["window"], page, "submit", acceptance_conditions="补充后的受理条件。")
    dashboard_action(client, people["reviewer"], page, "approve")
    said = dashboard_action(client, people["admin"], page, "approve", comment="同意")
    assert said == [f"“{page.title}”：已批准，已发布。"]
    assert state_of(page).status == WorkflowState.STATUS_APPROVED
    assert GuidePage.objects.get(pk=page.pk).acceptance_conditions == "补充后的受理条件。"


def test_a_refused_dashboard_action_says_nothing_about_moving_on(client, people):
    page = item_in("city", "scjg", offset=7)
    post_edit(client, people["window"], page, "submit")
    client.force_login(people["other_admin"])  # another center's admin may not act
    client.get("/admin/")  # clears the submission's messages
    task_state = state_of(page).current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    response = client.post(url, {"next": "/admin/"})
    assert response.status_code in (302, 403)
    said = [str(m.message) for m in get_messages(response.wsgi_request)]
    assert not any("已批准" in text or page.title in text for text in said), said
    assert state_of(page).current_task_state.pk == task_state.pk


@pytest.mark.parametrize("changes_requested_first", [False, True])
def test_after_review_restarts_both_steps_approve_again_and_the_center_admin_publishes(
    client, people, changes_requested_first
):
    """Edit-then-approve at step 2 restarts review at step 1; the earlier step-2 approval of the
    same revision must not count, or the reviewer's step-1 approval would try to publish."""
    page = item_in("city", "scjg", offset=6 if changes_requested_first else 7)
    post_edit(client, people["window"], page, "submit")
    post_edit(client, people["reviewer"], page, "approve")
    if changes_requested_first:
        post_edit(client, people["admin"], page, "reject")
        post_edit(client, people["window"], page, "submit", place="一楼 2 号窗口")
        assert state_of(page).current_task_state.task.name.endswith("中心审批")
    said = post_edit(client, people["admin"], page, "approve", place="二楼 3 号窗口")
    assert any("已退回第 1 步" in text for text in said), said
    said = post_edit(client, people["reviewer"], page, "approve")
    assert any("进入中心审批（第 2 步，共 2 步）" in text for text in said), said
    assert state_of(page).status == WorkflowState.STATUS_IN_PROGRESS
    said = post_edit(client, people["admin"], page, "approve")
    assert any("已批准，已发布" in text for text in said), said
    assert GuidePage.objects.get(pk=page.pk).place == "二楼 3 号窗口"
