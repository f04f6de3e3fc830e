"""Admin: the weekly search report (top queries, queries that found nothing)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import analytics
from .synonyms import synonym_map
from .todo import QuickSynonymForm


def _week(raw):
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@permission_required("search.view_querystat", raise_exception=True)
def search_report(request):
    week = _week(request.GET.get("week", ""))
    report = analytics.report(week)
    context = {
        "report": report,
        "weeks": analytics.weeks(),
        "header_title": _("搜索统计"),
        "todo": analytics.todo(report["week"], synonyms=synonym_map()),
        "few": analytics.FEW_RESULTS,
        "can_add": request.user.has_perm("search.add_synonymgroup"),
    }
    return render(request, "search/admin/report.html", context)


@require_POST
@permission_required("search.add_synonymgroup", raise_exception=True)
def add_synonym(request):
    """One click from the to-do list: the query leads a new one-way synonym group."""
    form = QuickSynonymForm(request.POST)
    week = _week(request.POST.get("week", ""))
    back = reverse("search_report") + ("?" + urlencode({"week": week.isoformat()}) if week else "")
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(request, " ".join(errors) or _t("请填写对应的规范用语（不超过 200 个字）。"))
        return redirect(back + "#todo")
    try:
        group = form.save()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back + "#todo")
    messages.success(request, _t("已添加同义词：%(terms)s（1 分钟内生效）") % {"terms": str(group)})
    return redirect(back + "#todo")


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("search-report/", search_report, name="search_report"),
        path("search-report/add-synonym/", add_synonym, name="search_add_synonym"),
    ]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("search.view_querystat")


@hooks.register("register_reports_menu_item")
def register_menu_item():
    return ReportMenuItem(_("搜索统计"), reverse("search_report"), icon_name="search", order=900)
