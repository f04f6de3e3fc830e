"""Admin views of the guides app: the disclosure completeness report (per center and department)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.models import Department, ServiceCenter

from . import reports
from .completeness import DISCLOSURES

PAGE_SIZE = 50


def completeness_report(request):
    center = request.GET.get("center") or None
    department = request.GET.get("department") or None
    missing = request.GET.get("missing") or None
    incomplete_only = request.GET.get("incomplete") == "1"
    live_only = request.GET.get("live") == "1"
    queryset = reports.report_queryset(center, department, missing, incomplete_only, live_only)
    if request.GET.get("export") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="completeness.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
        reports.write_csv(queryset, response)
        return response
    summary_rows = reports.summary(reports.report_queryset(center, department, None, False, live_only))
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
        "centers": ServiceCenter.objects.order_by("sort_order", "code"),
        "departments": Department.objects.order_by("code").values("code", "name").distinct()
        if not center
        else Department.objects.filter(center__code=center).order_by("code").values("code", "name"),
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
