"""Admin views of the guides app: the disclosure completeness report (per center and department)."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.models import Department, ServiceCenter
from portal.roles import scope_for

from . import reports
from .completeness import DISCLOSURES

PAGE_SIZE = 50


def _in_scope_departments(scope):
    if scope.everything:
        return Department.objects.all()
    return Department.objects.filter(Q(pk__in=scope.department_ids) | Q(center_id__in=scope.center_ids))


def _in_scope_centers(scope):
    if scope.everything:
        return ServiceCenter.objects.all()
    return ServiceCenter.objects.filter(
        Q(pk__in=scope.center_ids) | Q(departments__pk__in=scope.department_ids)
    ).distinct()


def completeness_report(request):
    center = request.GET.get("center") or None
    department = request.GET.get("department") or None
    missing = request.GET.get("missing") or None
    incomplete_only = request.GET.get("incomplete") == "1"
    live_only = request.GET.get("live") == "1"
    scope = scope_for(request.user)  # an editor sees their own department's (center's) items only
    queryset = reports.report_queryset(center, department, missing, incomplete_only, live_only, scope)
    if request.GET.get("export") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="completeness.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
        reports.write_csv(queryset, response)
        return response
    summary_rows = reports.summary(reports.report_queryset(center, department, None, False, live_only, scope))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("p"))
    rows = [{"item": item, "missing": reports.missing_labels(item)} for item in page.object_list]
    params = {
        key: value
        for key, value in (
            ("center", center),
            ("department", department),
            ("missing", missing),
            ("incomplete", "1" if incomplete_only else None),
            ("live", "1" if live_only else None),
        )
        if value
    }
    totals = {
        "items": sum(row["items"] for row in summary_rows),
        "complete": sum(row["complete"] for row in summary_rows),
        "missing": [sum(row["missing"][i] for row in summary_rows) for i in range(len(DISCLOSURES))],
    }
    context = {
        "page_title": _("八公开完整度报告"),
        "header_icon": "doc-full",
        "centers": _in_scope_centers(scope).order_by("sort_order", "code"),
        "departments": _in_scope_departments(scope).order_by("code").values("code", "name").distinct()
        if not center
        else _in_scope_departments(scope).filter(center__code=center).order_by("code").values("code", "name"),
        "disclosures": [(key, str(label)) for key, label in DISCLOSURES],
        "selected": {"center": center, "department": department, "missing": missing},
        "incomplete_only": incomplete_only,
        "live_only": live_only,
        "summary_rows": summary_rows,
        "totals": totals,
        "page_obj": page,
        "rows": rows,
        "query": urlencode(params),
        "export_url": "?" + urlencode({**params, "export": "csv"}),
    }
    return render(request, "guides/admin/completeness_report.html", context)
