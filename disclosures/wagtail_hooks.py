"""Wagtail admin hooks of the disclosures app."""

# --- Bulletin build failures (bulletin code): an admin list, a menu item, a dashboard panel ----

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

RESOLVE_PERMISSION = "disclosures.change_bulletinbuildfailure"


def _unresolved_failures():
    from disclosures.models import BulletinBuildFailure

    return BulletinBuildFailure.objects.filter(resolved=False).select_related("center").order_by("-created_at")


class BulletinFailuresView(WagtailAdminTemplateMixin, TemplateView):
    """Unresolved failures of scheduled bulletin builds; editors mark them resolved."""

    template_name = "disclosures/admin/bulletin_failures.html"
    page_title = _("通报生成失败")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["failures"] = _unresolved_failures()[:200]
        context["can_resolve"] = self.request.user.has_perm(RESOLVE_PERMISSION)
        return context

    def post(self, request, *args, **kwargs):
        from disclosures.models import BulletinBuildFailure

        if not request.user.has_perm(RESOLVE_PERMISSION):
            messages.error(request, _("您没有处理通报生成失败的权限。"))
        elif request.POST.get("resolve", "").isdigit():
            BulletinBuildFailure.objects.filter(pk=int(request.POST["resolve"])).update(resolved=True)
            messages.success(request, _("已标记为已处理。"))
        return redirect("disclosures_bulletin_failures")


@hooks.register("register_admin_urls")
def register_bulletin_failure_urls():
    return [path("bulletin-failures/", BulletinFailuresView.as_view(), name="disclosures_bulletin_failures")]


class BulletinFailuresMenuItem(MenuItem):
    def is_shown(self, request):
        return _unresolved_failures().exists()


@hooks.register("register_admin_menu_item")
def register_bulletin_failures_menu_item():
    return BulletinFailuresMenuItem(
        _("通报生成失败"), reverse("disclosures_bulletin_failures"), icon_name="warning", order=9000
    )


class BulletinFailuresPanel(Component):
    name = "bulletin_failures"
    order = 50

    def __init__(self, failures, count):
        self.failures = failures
        self.count = count

    def render_html(self, parent_context=None):
        return render_to_string(
            "disclosures/admin/bulletin_failures_panel.html",
            {"failures": self.failures, "count": self.count, "url": reverse("disclosures_bulletin_failures")},
        )


@hooks.register("construct_homepage_panels")
def add_bulletin_failures_panel(request, panels):
    failures = list(_unresolved_failures()[:5])
    if failures:
        panels.append(BulletinFailuresPanel(failures, _unresolved_failures().count()))


# --- Consultations and complaints (disclosures/feedback/admin.py) ------------------------------


@hooks.register("register_admin_viewset")
def register_feedback_viewset():
    from .feedback.admin import feedback_viewset

    return feedback_viewset
