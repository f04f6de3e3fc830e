"""Page-editor hooks for the talking workflow (logic in portal/workflow_status.py).

- before_edit_page: remembers where the page stood before a POST; on a GET, warns a reviewer
  past the first step that editing restarts review.
- after_create_page / after_edit_page: one message saying what happened and where the page is.
- register_page_action_menu_item: “修改并批准” for a center admin at the last step.
"""

from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.action_menu import ActionMenuItem

from . import workflow_status

BEFORE_ATTRIBUTE = "gongkai_workflow_before"
EDIT_APPROVE_ATTRIBUTE = "gongkai_edit_approve_allowed"


def _say(request, result):
    if result is None:
        return
    level, message = result
    getattr(messages, level)(request, message)


@hooks.register("before_edit_page")
def remember_workflow_position(request, page):
    if request.method == "POST":
        # Decided before the edit is saved: a new revision changes what Wagtail counts as approved.
        setattr(request, BEFORE_ATTRIBUTE, workflow_status.position(page))
        if request.POST.get(workflow_status.EDIT_APPROVE):
            setattr(request, EDIT_APPROVE_ATTRIBUTE, workflow_status.can_edit_and_approve(page, request.user))
        return None
    warning = workflow_status.edit_warning(page, request.user)
    if warning:
        messages.warning(request, warning)
    return None


@hooks.register("after_create_page")
def say_where_new_page_is(request, page):
    action = workflow_status.action_from_post(request.POST)
    if action in ("submit", "publish"):
        _say(request, workflow_status.after_action(page, action, workflow_status.Position(status="")))


@hooks.register("after_edit_page")
def say_where_page_is(request, page):
    action = workflow_status.action_from_post(request.POST)
    if not action:
        return None
    before = getattr(request, BEFORE_ATTRIBUTE, None) or workflow_status.Position(status="")
    if action == "edit-approve":
        if not getattr(request, EDIT_APPROVE_ATTRIBUTE, False):
            messages.error(request, _("无法“修改并批准”：此页面不在您可以批准的最后一步。修改已保存为草稿。"))
            return redirect("wagtailadmin_pages:edit", page.pk)
        workflow_status.edit_and_approve(page, request.user)
    _say(
        request,
        workflow_status.after_action(page, action, before, request.POST.get("workflow-action-name", "")),
    )
    if action == "edit-approve":
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


class EditAndApproveMenuItem(ActionMenuItem):
    """Save the edits and approve them at the last step, without restarting review."""

    label = gettext_lazy("修改并批准")
    name = workflow_status.EDIT_APPROVE
    icon_name = "success"

    def is_shown(self, context):
        if context.get("view") != "edit" or context.get("locked_for_user"):
            return False
        return workflow_status.can_edit_and_approve(context["page"], context["request"].user)


@hooks.register("register_page_action_menu_item")
def edit_and_approve_menu_item():
    return EditAndApproveMenuItem(order=5)
