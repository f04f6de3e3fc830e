"""Messages for approvals and rejections made outside the page editor: Wagtail's workflow-action
view, which the dashboard's *等待我审核* panel opens (the pop-up for “批准并评论” / “要求修改”, and
a plain POST for “批准”). The view itself adds no message, so the reviewer never learned where the
page went; now it says the same as the editor does (portal/workflow_status.py): “《…》：已批准，
进入中心审批（第 2 步，共 2 步）”, “…：已批准，已发布。”, “…：已退回修改…”.

How, with public APIs only:
- Wagtail's ``task_approved`` / ``task_rejected`` signals say that an action really happened (not
  a refused or invalid one), on which object, and from which step (the task state);
- ``WorkflowActionMessageMiddleware`` (settings.MIDDLEWARE, after MessageMiddleware) gives the
  signals a place to report to for the length of one POST, and, when that POST was Wagtail's
  ``…:workflow_action`` view (the page one or a snippet's), turns the reports into messages. The
  page editor's actions are other views: their messages come from portal/workflow_hooks.py.
"""

from contextvars import ContextVar

from django.dispatch import receiver
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.signals import task_approved, task_rejected

from . import workflow_status

WORKFLOW_ACTION_VIEW = "workflow_action"  # Wagtail's URL name, in the pages and each snippet namespace

# While a POST is handled: a list the signals append (object, position before, action) to.
_reports = ContextVar("gongkai_workflow_action_reports", default=None)


def _report(task_state, action):
    reports = _reports.get()
    if reports is None:
        return
    obj = task_state.workflow_state.content_object
    if obj is None:
        return
    reports.append((obj, workflow_status.position_of_task_state(task_state), action))


@receiver(task_approved)
def report_approval(sender, instance, user=None, **kwargs):
    _report(instance, "approve")


@receiver(task_rejected)
def report_rejection(sender, instance, user=None, **kwargs):
    _report(instance, "reject")


def message_for(obj, before, action):
    """(level, message) for an action taken outside the editor, naming the object."""
    result = workflow_status.after_action(obj, "workflow", before, action)
    if result is None:
        return None
    level, text = result
    return level, _("“%(title)s”：%(message)s") % {"title": str(obj), "message": text}


class WorkflowActionMessageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        reports = []
        token = _reports.set(reports)
        try:
            response = self.get_response(request)
        finally:
            _reports.reset(token)
        match = getattr(request, "resolver_match", None)
        if reports and match is not None and match.url_name == WORKFLOW_ACTION_VIEW:
            for obj, before, action in reports:
                result = message_for(obj, before, action)
                if result is not None:
                    level, text = result
                    getattr(messages, level)(request, text)
        return response
