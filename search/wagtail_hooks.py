"""Admin: the weekly search report (top queries, queries that found nothing)."""

import datetime

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import analytics


@permission_required("search.view_querystat", raise_exception=True)
def search_report(request):
    week = None
    raw = request.GET.get("week", "")
    if raw:
        try:
            week = datetime.date.fromisoformat(raw)
        except ValueError:
            week = None
    context = {"report": analytics.report(week), "weeks": analytics.weeks(), "header_title": _("搜索统计")}
    return render(request, "search/admin/report.html", context)


@hooks.register("register_admin_urls")
def register_urls():
    return [path("search-report/", search_report, name="search_report")]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("search.view_querystat")


@hooks.register("register_reports_menu_item")
def register_menu_item():
    return ReportMenuItem(_("搜索统计"), reverse("search_report"), icon_name="search", order=900)
