"""Thin views of the open data: the series API and files (/api/series/), the series page with
its chart (/data/series/) and the data dictionary (/data/dictionary/).

The series API is a Django REST Framework view (shape in disclosures/serializers.py); its CSV and
XLSX files are plain HttpResponses from the same view (DRF passes them through unchanged)."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from portal.restapi import PublicReadView, json_response

from . import charts, datafiles, metrics, opendata, series
from .bulletin_tables import format_rate
from .serializers import DataPackageSerializer, ErrorSerializer, SeriesSerializer

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SERIES_FIELDS = [*opendata.TIDY_FIELDS, "source"]


def _json(payload, status=200):
    """The series API's JSON, readable from any origin (open data)."""
    return json_response(payload, status=status, headers={"Access-Control-Allow-Origin": "*"})


def _urls(query):
    params = urlencode(query.as_params())
    return {
        "json": f"/api/series/?{params}",
        "csv": f"/api/series.csv?{params}",
        "xlsx": f"/api/series.xlsx?{params}",
        "datapackage": f"/api/series/datapackage.json?{params}",
        "page": f"/data/series/?{params}",
    }


def _metric_info(metric):
    return {
        "code": metric.code,
        "name": str(metric.label),
        "unit": metric.unit,
        "definition": str(metric.definition),
        "formula": str(metric.formula),
        "source": str(metric.source),
    }


SERIES_PARAMETERS = [
    OpenApiParameter("center", OpenApiTypes.STR, OpenApiParameter.QUERY, description="中心编码，all 为全市（默认）"),
    OpenApiParameter("department", OpenApiTypes.STR, OpenApiParameter.QUERY, description="部门编码"),
    OpenApiParameter("metric", OpenApiTypes.STR, OpenApiParameter.QUERY, description="指标代码（见数据字典）"),
    OpenApiParameter("from", OpenApiTypes.STR, OpenApiParameter.QUERY, description="起始月份 YYYY-MM"),
    OpenApiParameter("to", OpenApiTypes.STR, OpenApiParameter.QUERY, description="截止月份 YYYY-MM"),
]


class SeriesView(PublicReadView):
    """/api/series/ (JSON) and, by the `fmt` of the route, its CSV, XLSX and datapackage.json."""

    @extend_schema(
        operation_id="series_retrieve",
        summary="指标时间序列",
        description="一个指标按月的数值（中心、部门或全市），与通报同源；同一查询也有 CSV、XLSX 和 datapackage.json。",
        parameters=SERIES_PARAMETERS,
        responses={200: SeriesSerializer, 400: ErrorSerializer},
        tags=["运行数据 Open data"],
    )
    def get(self, request, fmt="json"):
        return series_api(request, fmt)


class SeriesPackageView(SeriesView):
    @extend_schema(
        operation_id="series_datapackage",
        summary="时间序列的数据包描述（Frictionless Data Package）",
        parameters=SERIES_PARAMETERS,
        responses={200: DataPackageSerializer, 400: ErrorSerializer},
        tags=["运行数据 Open data"],
    )
    def get(self, request, fmt="datapackage"):
        return series_api(request, fmt)


class SeriesFileView(SeriesView):
    """/api/series.csv|.xlsx|.json: files of the same query (described in the README, not in the
    OpenAPI schema, which describes JSON)."""

    schema = None


def series_api(request, fmt="json"):
    """GET /api/series/?center=&department=&metric=&from=YYYY-MM&to=YYYY-MM (also .csv, .xlsx)."""
    try:
        query = series.parse_query(request.GET)
    except series.SeriesError as exc:
        return _json({"error": str(exc)}, status=400)
    result = series.compute(query)
    for point in result["points"]:
        point["source"] = request.build_absolute_uri(point["source"]) if point["source"] else ""
    name = "-".join(str(v) for v in query.as_params().values())
    if fmt in ("csv", "xlsx"):
        rows = [[point.get(field) for field in SERIES_FIELDS] for point in result["points"]]
        if fmt == "csv":
            content = datafiles.write_csv(SERIES_FIELDS, rows)
        else:
            info = _metric_info(query.metric)
            notes = [[_("标题"), series.title(query)], *([key, value] for key, value in info.items())]
            content = datafiles.write_xlsx(
                [(_("整洁数据"), SERIES_FIELDS, rows), (_("说明"), [_("项目"), _("内容")], notes)]
            )
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="series-{name}.{fmt}"'
        response["Access-Control-Allow-Origin"] = "*"
        return response
    if fmt == "datapackage":
        urls = _urls(query)
        schema_resource = opendata.resource(
            f"series-{name}".lower(), series.title(query), request.build_absolute_uri(urls["csv"])
        )
        schema_resource["schema"]["fields"].append(
            {"name": "source", "type": "string", "title": _("来源通报"), "description": _("该月数据所出自的通报网址")}
        )
        return _json(
            opendata.package(
                f"gongkai-series-{name}".lower(),
                series.title(query),
                [schema_resource],
                homepage=request.build_absolute_uri(urls["page"]),
                description=_("指标定义见数据字典 %(url)s") % {"url": request.build_absolute_uri("/data/dictionary/")},
            ),
        )
    return _json(
        {
            **query.as_params(),
            "center_name": query.center.name if query.center else str(_("全市")),
            "department_name": query.department.name if query.department else "",
            "title": series.title(query),
            "metric_info": _metric_info(query.metric),
            "points": result["points"],
            "missing": result["missing"],
            "urls": {key: request.build_absolute_uri(url) for key, url in _urls(query).items()},
        },
    )


@require_GET
def series_page(request):
    """The series page: a plain GET form, the chart and the table beneath it."""
    from portal.models import Department, ServiceCenter

    error, query, result = "", None, None
    if request.GET:
        try:
            query = series.parse_query(request.GET)
        except series.SeriesError as exc:
            error = str(exc)
    else:
        try:
            query = series.parse_query({})
        except series.SeriesError as exc:
            error = str(exc)
    if query:
        result = series.compute(query)
        for point in result["points"]:
            point["display"] = (
                format_rate(point["value"])
                if query.metric.is_rate
                else ("—" if point["value"] is None else point["value"])
            )
    centers = list(ServiceCenter.objects.order_by("sort_order", "code"))
    departments = (
        list(Department.objects.filter(center=query.center).order_by("code")) if query and query.center else []
    )
    context = {
        "query": query,
        "error": error,
        "result": result,
        "chart": charts.series_line_chart(result["points"], series.title(query), query.metric.unit) if query else "",
        "urls": _urls(query) if query else {},
        "centers": centers,
        "departments": departments,
        "metrics": metrics.METRICS,
        "params": request.GET,
        "breadcrumbs": [{"title": _("运行情况通报"), "url": "/bulletins/"}, {"title": _("指标时间序列"), "url": ""}],
    }
    return render(request, "disclosures/series.html", context, status=400 if error else 200)


@require_GET
def dictionary_page(request):
    """Every metric's definition, formula, unit and source, and the columns of the open data."""
    context = {
        "metrics": metrics.METRICS,
        "fields": opendata.tidy_schema()["fields"],
        "breadcrumbs": [{"title": _("运行情况通报"), "url": "/bulletins/"}, {"title": _("数据字典"), "url": ""}],
    }
    return render(request, "disclosures/data_dictionary.html", context)
