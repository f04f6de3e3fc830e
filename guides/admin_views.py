"""Admin views of the guides app: the disclosure completeness report (per center and department).

A Wagtail ReportView: filters (a django-filter FilterSet in Wagtail's filter drawer), paging and
the CSV/XLSX export are Wagtail's; the figures are the SQL annotations of guides/reports.py. Every
user sees only the items of the centers and departments they work for (portal.roles.scope_for:
window staff and reviewers their departments, a center admin the center, superusers and system
administrators everything), in the rows, the summary, the filter choices and the export.
The CSV keeps its former form: UTF-8 with a BOM (Excel) and formula-like text neutralised with
core.spreadsheets.safe_cell; in the XLSX, Wagtail stores such text as string cells.
"""

import django_filters
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from core.spreadsheets import safe_cell
from portal.models import Department, ServiceCenter
from portal.roles import scope_for

from . import reports
from .completeness import DISCLOSURES
from .models import GuidePage

YES = [("1", _("是"))]


class CompletenessFilterSet(WagtailFilterSet):
    """The report's filters, with the query parameters the report always had."""

    center = django_filters.ChoiceFilter(label=_("中心"), field_name="center__code", empty_label=_("全部"))
    department = django_filters.ChoiceFilter(label=_("部门"), field_name="department__code", empty_label=_("全部"))
    missing = django_filters.ChoiceFilter(
        label=_("缺失内容"), choices=DISCLOSURES, method="filter_missing", empty_label=_("不限")
    )
    incomplete = django_filters.ChoiceFilter(
        label=_("只看不完整的事项"), choices=YES, method="filter_incomplete", empty_label=_("否")
    )
    live = django_filters.ChoiceFilter(label=_("只看已发布"), choices=YES, method="filter_live", empty_label=_("否"))

    class Meta:
        model = GuidePage
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        scope = scope_for(request.user)
        centers = ServiceCenter.objects.order_by("sort_order", "code")
        departments = Department.objects.order_by("code")
        if not scope.everything:
            centers = centers.filter(Q(pk__in=scope.center_ids) | Q(departments__pk__in=scope.department_ids))
            departments = departments.filter(Q(pk__in=scope.department_ids) | Q(center_id__in=scope.center_ids))
        center = self.data.get("center") if self.data else None
        if center:
            departments = departments.filter(center__code=center)
        self.filters["center"].extra["choices"] = list(centers.distinct().values_list("code", "name"))
        names = dict(departments.values_list("code", "name"))
        self.filters["department"].extra["choices"] = [(code, f"{name}（{code}）") for code, name in names.items()]

    def filter_missing(self, queryset, name, value):
        return queryset.filter(**{f"ok_{value}": False})

    def filter_incomplete(self, queryset, name, value):
        return queryset.filter(Q(present__lt=len(reports.KEYS)) | Q(ok_handling_rules=False))

    def filter_live(self, queryset, name, value):
        return queryset.live()


class CompletenessColumn(Column):
    """ "6/8": the disclosures present of the eight."""

    def get_value(self, instance):
        return f"{instance.present}/{len(reports.KEYS)}"


class CompletenessReportView(ReportView):
    page_title = _("八公开完整度报告")
    header_icon = "doc-full"
    index_url_name = "guides_completeness_report"
    index_results_url_name = "guides_completeness_report_results"
    template_name = "guides/admin/completeness_report.html"
    results_template_name = "guides/admin/completeness_report_results.html"
    filterset_class = CompletenessFilterSet
    paginate_by = 50
    export_filename = "completeness"
    list_export = ["center.name", "department.name", "item_code", "title", "present", "missing_text", "status_text"]
    export_headings = {
        "center.name": "中心",
        "department.name": "部门",
        "item_code": "事项编码",
        "title": "事项名称",
        "present": "已公开项数",
        "missing_text": "缺失内容",
        "status_text": "状态",
    }
    columns = [
        TitleColumn("title", label=_("事项"), url_name="wagtailadmin_pages:edit"),
        Column("item_code", label=_("事项编码")),
        Column("center", label=_("中心"), accessor="center.name"),
        Column("department", label=_("部门"), accessor="department.name"),
        CompletenessColumn("present", label=_("完整度")),
        Column("missing_text", label=_("缺失内容")),
        Column("status_text", label=_("状态")),
    ]

    def get_scoped_queryset(self):
        """The items this user may see, with the eight checks as annotations."""
        queryset = GuidePage.objects.filter(scope_for(self.request.user).item_q())
        return reports.annotate_completeness(queryset).select_related("center", "department")

    def get_queryset(self):
        queryset = self.filter_queryset(self.get_scoped_queryset())
        return queryset.order_by("center__sort_order", "department__code", "item_code")

    def summary_queryset(self):
        """What the summary counts: the chosen center, department and live filter, not the
        missing/incomplete filters (the summary shows what is missing)."""
        queryset = self.get_scoped_queryset()
        data = self.filters.form.cleaned_data if self.filters and self.filters.is_valid() else {}
        if data.get("center"):
            queryset = queryset.filter(center__code=data["center"])
        if data.get("department"):
            queryset = queryset.filter(department__code=data["department"])
        if data.get("live"):
            queryset = queryset.live()
        return queryset

    def to_row_dict(self, item):
        _describe(item)
        return super().to_row_dict(item)

    def decorate_paginated_queryset(self, object_list):
        if self.is_export:
            return object_list
        items = list(object_list)
        for item in items:
            _describe(item)
        return items

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return safe_cell(value) if export_format == self.FORMAT_CSV else value

    def stream_csv(self, queryset):
        yield "\ufeff".encode()  # Excel opens UTF-8 CSV correctly with a BOM (rows come as UTF-8 bytes)
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        """One response, as before (not streamed), with the charset stated."""
        response = HttpResponse(b"".join(self.stream_csv(queryset)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.csv"'
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.is_export:
            return context
        summary_rows = reports.summary(self.summary_queryset())
        context.update(
            {
                "disclosures": [(key, str(label)) for key, label in DISCLOSURES],
                "summary_rows": summary_rows,
                "totals": {
                    "items": sum(row["items"] for row in summary_rows),
                    "complete": sum(row["complete"] for row in summary_rows),
                    "missing": [sum(row["missing"][i] for row in summary_rows) for i in range(len(DISCLOSURES))],
                },
            }
        )
        return context


def _describe(item):
    item.missing_text = "、".join(reports.missing_labels(item))
    item.status_text = "已发布" if item.live else "草稿"
