"""Workflow that talks: where a page stands in its review, in words an editor understands.

After every action in the page editor (submit, approve, reject, publish, restart) the editor is
told what happened and where the page is now: “已批准，进入中心审批（第 2 步，共 2 步）”,
“已发布”, “修改后需重新审核，已退回第 1 步（部门审核）”. Before approving with edits, a reviewer
is warned that editing restarts review
(WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT); a center admin at the last step may instead choose
“修改并批准”, which keeps the earlier approvals for the edited version and publishes it.

Everything here uses Wagtail's public models and methods (WorkflowState, TaskState, Task.on_action,
WorkflowState.copy_approved_task_states_to_revision); portal/wagtail_hooks.py wires it to the
editor through the before/after page hooks and an action-menu item.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Task, TaskState, WorkflowState, WorkflowTask

EDIT_APPROVE = "action-edit-approve"


def short_task_name(task):
    """“临江市政务服务中心 · 市场监督管理局 · 部门审核” → “部门审核”."""
    return str(task.name).split("·")[-1].strip()


@dataclass
class Position:
    status: str  # a WorkflowState status, or "" when the page is not in a workflow
    task: str = ""
    step: int = 0
    total: int = 0

    @property
    def in_review(self):
        return self.status == WorkflowState.STATUS_IN_PROGRESS


def current_state(page):
    """The page's latest workflow state (in progress, needs changes, approved…), or None."""
    return WorkflowState.objects.for_instance(page).order_by("-created_at", "-pk").first()


def _workflow_task_ids(state):
    return list(
        Task.objects.filter(workflow_tasks__workflow=state.workflow_id, active=True)
        .order_by("workflow_tasks__sort_order")
        .values_list("pk", flat=True)
    )


def _at_task(status, task_state, task_ids):
    step = next((index for index, pk in enumerate(task_ids, 1) if pk == task_state.task_id), 0)
    return Position(status=status, task=short_task_name(task_state.task), step=step, total=len(task_ids))


def position(page):
    state = current_state(page)
    if state is None:
        return Position(status="")
    task_ids = _workflow_task_ids(state)
    task_state = state.current_task_state
    if task_state is None:
        return Position(status=state.status, total=len(task_ids))
    return _at_task(state.status, task_state, task_ids)


def position_of_task_state(task_state):
    """Where the page stood while `task_state` was its current step (e.g. the step just approved)."""
    state = task_state.workflow_state
    return _at_task(WorkflowState.STATUS_IN_PROGRESS, task_state, _workflow_task_ids(state))


def where(pos):
    """“部门审核（第 1 步，共 2 步）”."""
    return _("%(task)s（第 %(step)s 步，共 %(total)s 步）") % {"task": pos.task, "step": pos.step, "total": pos.total}


def _published_message(page):
    page.refresh_from_db(fields=["live", "go_live_at", "has_unpublished_changes"])
    if page.go_live_at and page.go_live_at > timezone.now():
        when = timezone.localtime(page.go_live_at).strftime("%Y-%m-%d %H:%M")
        return _("将于 %(when)s 定时发布。") % {"when": when}
    if page.live:
        return _("已发布。")
    return _("审核已完成。")


def after_action(page, action, before, workflow_action=""):
    """(level, message) saying what just happened and where the page is now; None for a plain save.

    `action` is what the editor clicked: "submit", "publish", "restart", "workflow" (with
    `workflow_action` "approve"/"reject") or "edit-approve"; `before` is the Position before it.
    """
    now = position(page)
    if action == "publish":
        return "success", _published_message(page)
    if action in ("submit", "restart"):
        if now.in_review:
            prefix = _("已重新提交审核") if action == "restart" else _("已提交审核")
            return "success", _("%(prefix)s，进入%(where)s。") % {"prefix": prefix, "where": where(now)}
        return "success", _("已提交审核，") + _published_message(page)
    if action == "workflow" and workflow_action == "reject":
        return "warning", _("已退回修改，等待提交人修改后重新提交（原在%(where)s）。") % {"where": where(before)}
    if action in ("workflow", "edit-approve"):
        if now.in_review:
            if before.in_review and now.step <= before.step:
                return "warning", _("修改后需重新审核，已退回第 %(step)s 步（%(task)s，共 %(total)s 步）。") % {
                    "step": now.step,
                    "task": now.task,
                    "total": now.total,
                }
            return "success", _("已批准，进入%(where)s。") % {"where": where(now)}
        if now.status == WorkflowState.STATUS_APPROVED:
            return "success", _("已批准，") + _published_message(page)
    return None


def action_from_post(post):
    """Which editor action a page-edit POST was."""
    if post.get(EDIT_APPROVE):
        return "edit-approve"
    if post.get("action-publish"):
        return "publish"
    if post.get("action-submit"):
        return "submit"
    if post.get("action-restart-workflow"):
        return "restart"
    if post.get("action-workflow-action"):
        return "workflow"
    return ""


# Approve with edits -----------------------------------------------------------------------


def reapproval_required():
    return getattr(settings, "WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT", False)


def _user_can_act(task_state, page, user):
    actions = task_state.task.specific.get_actions(page, user)
    return any(name == "approve" for name, _label, _modal in actions)


def can_edit_and_approve(page, user):
    """A center admin (or system admin) at the last step of a review may approve their own edits.

    Allowed where the workflow allows it: the page is in review, the current step is the last
    one, the user may approve it, and they hold the center admin role over the page's center (or
    are a system admin) — the earlier steps were approved by the department, and the center admin
    is the one who publishes anyway.
    """
    from .roles import scope_for

    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS or not reapproval_required():
        return False
    task_state = state.current_task_state
    if task_state is None or not state.is_at_final_task:
        return False
    if not _user_can_act(task_state, page, user):
        return False
    if user.is_superuser:
        return True
    scope = scope_for(user)
    return scope.everything or getattr(page.specific, "center_id", None) in scope.center_ids


def edit_warning(page, user):
    """The warning shown on the edit page of a reviewer whose edits would restart review, or None."""
    if not reapproval_required():
        return None
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS or state.current_task_state is None:
        return None
    pos = position(page)
    if not _user_can_act(state.current_task_state, page, user):
        return None
    message = _("注意：此页面正在%(where)s。如果您修改了内容再点“批准”，审核将从第 1 步重新开始。") % {
        "where": where(pos)
    }
    if can_edit_and_approve(page, user):
        message += _("如只需改正后直接通过，请选择“修改并批准”：保留前面各步的批准并发布。")
    else:
        message += _("如只需批准，请不要修改内容。")
    return message


def edit_and_approve(page, user):
    """Approve the edited latest revision at the last step, keeping the earlier steps' approvals."""
    state = page.current_workflow_state
    task_state = state.current_task_state
    revision = page.get_latest_revision()
    if revision is not None and task_state.revision_id != revision.pk:
        state.copy_approved_task_states_to_revision(revision)
        TaskState.objects.filter(pk=task_state.pk).update(revision=revision)
        task_state.refresh_from_db()
    task_state.task.specific.on_action(task_state.specific, user, "approve", comment=_("修改并批准"))


def forget_approvals_after_restart(sender, instance, user=None, **kwargs):
    """`task_approved` receiver: when an approval sent review back to an earlier step (edits since
    that step's approval, WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT), the approvals of the later
    steps no longer count. Without this, Wagtail counts the approval that restarted review as the
    later step's, and the first step's next approval finishes the workflow and publishes as that
    reviewer, who may not publish: the page would be stuck."""
    state = WorkflowState.objects.filter(pk=instance.workflow_state_id).first()
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS or state.current_task_state is None:
        return
    order = dict(WorkflowTask.objects.filter(workflow_id=state.workflow_id).values_list("task_id", "sort_order"))
    current = order.get(state.current_task_state.task_id)
    if current is None:
        return
    later = [task_id for task_id, sort_order in order.items() if sort_order > current]
    state.task_states.filter(task_id__in=later, status=TaskState.STATUS_APPROVED).update(
        status=TaskState.STATUS_CANCELLED
    )
