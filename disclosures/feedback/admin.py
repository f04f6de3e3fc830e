"""The Wagtail admin viewset for consultations and complaints (咨询投诉).

Who sees what follows the editorial roles (portal.roles.scope_for): window staff and reviewers
see their departments' feedback and answer or transfer it; center administrators see every one
of their center, act as its supervisors (督办) — the overdue list, escalation — and assign
feedback that came in without a department.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from portal.models import Department
from portal.roles import scope_for

from . import service
from .models import Feedback

FILTERS = {
    "pending": gettext_lazy("办理中"),
    "overdue": gettext_lazy("已超期"),
    "escalated": gettext_lazy("督办中"),
    "answered": gettext_lazy("已答复"),
    "all": gettext_lazy("全部"),
}


def filtered(queryset, name, today=None):
    today = today or timezone.localdate()
    if name == "pending":
        return queryset.filter(status=Feedback.PENDING)
    if name == "overdue":
        return queryset.filter(service.overdue_q(today))
    if name == "escalated":
        return queryset.filter(status=Feedback.PENDING, escalated_at__isnull=False)
    if name == "answered":
        return queryset.filter(status=Feedback.ANSWERED)
    return queryset


class FeedbackIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "disclosures/feedback/admin_index.html"
    page_title = gettext_lazy("咨询投诉")
    header_icon = "help"
    viewset = None

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        current = self.request.GET.get("status") or "pending"
        if current not in FILTERS:
            current = "pending"
        visible = service.visible_to(user)
        queryset = filtered(visible, current).order_by("escalated_at", "due_date", "created_at")
        if current == "escalated" or current == "overdue":
            queryset = queryset.order_by("due_date", "created_at")
        page = Paginator(queryset, 50).get_page(self.request.GET.get("p"))
        today = timezone.localdate()
        context.update(
            {
                "filters": [(key, label, filtered(visible, key, today).count()) for key, label in FILTERS.items()],
                "current": current,
                "page_obj": page,
                "today": today,
                "url_namespace": self.viewset.url_namespace,
                "supervisor": bool(scope_for(user).center_ids) or scope_for(user).everything,
            }
        )
        return context


class FeedbackDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "disclosures/feedback/admin_detail.html"
    header_icon = "help"
    viewset = None

    def get_page_title(self):
        return _("咨询投诉 %(no)s") % {"no": self.feedback.receipt_no}

    def get_breadcrumbs_items(self):
        index = {"url": reverse(f"{self.viewset.url_namespace}:index"), "label": _("咨询投诉")}
        return [*self.breadcrumbs_items, index, {"url": "", "label": self.feedback.receipt_no}]

    def dispatch(self, request, *args, **kwargs):
        self.feedback = get_object_or_404(service.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        feedback, user = self.feedback, self.request.user
        context.update(
            {
                "feedback": feedback,
                "events": feedback.events.select_related("user", "department"),
                "departments": Department.objects.filter(center=feedback.center).exclude(pk=feedback.department_id),
                "can_handle": service.can_handle(user, feedback),
                "can_supervise": service.can_supervise(user, feedback),
                "faq_suggestion": feedback.faq_question or service.anonymise(feedback.content),
                "url_namespace": self.viewset.url_namespace,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        feedback, user, data = self.feedback, request.user, request.POST
        action = data.get("action")
        try:
            if action == "answer":
                service.answer(feedback, user, data.get("answer", ""))
                messages.success(request, _("已答复，群众可凭受理编号查询答复。"))
            elif action == "transfer":
                department = Department.objects.filter(pk=data.get("department") or 0).first()
                service.transfer(feedback, user, department, data.get("note", ""))
                messages.success(request, _("已转办至%(name)s。") % {"name": department.name})
                if not service.can_handle(user, feedback):
                    return redirect(f"{self.viewset.url_namespace}:index")
            elif action == "escalate":
                service.escalate(feedback, user, data.get("note", ""))
                messages.success(request, _("已督办，承办部门会在列表顶部看到督办标记。"))
            elif action in ("publish", "unpublish"):
                service.publish_faq(feedback, user, data.get("faq_question", ""), publish=action == "publish")
                messages.success(request, _("已公开为事项的常见问题。") if action == "publish" else _("已撤回公开。"))
            else:
                raise PermissionDenied
        except service.FeedbackError as exc:
            messages.error(request, str(exc))
        return redirect(f"{self.viewset.url_namespace}:detail", pk=feedback.pk)


class FeedbackMenuItem(MenuItem):
    def is_shown(self, request):
        return not scope_for(request.user).empty


class FeedbackViewSet(ViewSet):
    name = "feedback"
    icon = "help"
    menu_label = gettext_lazy("咨询投诉")
    menu_order = 250
    add_to_admin_menu = True
    menu_item_class = FeedbackMenuItem

    def get_urlpatterns(self):
        return [
            path("", self.construct_view(FeedbackIndexView, viewset=self), name="index"),
            path("<int:pk>/", self.construct_view(FeedbackDetailView, viewset=self), name="detail"),
        ]


feedback_viewset = FeedbackViewSet()
