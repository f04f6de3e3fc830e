"""Thin views for bulletin data: JSON, PDF, CSV and XLSX at stable URLs.

Only published bulletins are public, and the data always comes from the frozen fields of the
live page, so every file matches what the page shows. The routes are Django REST Framework views
(JSON shapes in disclosures/serializers.py); the files are plain responses they pass through.
"""

from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from core import pageviews
from portal.models import ServiceCenter
from portal.restapi import PublicReadView, json_response

from . import bulletins, corrections, datafiles, opendata
from .models import BulletinPage
from .serializers import BulletinListSerializer, BulletinSerializer, DataPackageSerializer, ErrorSerializer

LIST_PAGE_SIZE = 100
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
    "pdf": "application/pdf",
}


def not_found(request, *args, **kwargs):
    return json_response(
        {"error": _("未找到该通报。请检查中心编码和统计月份（YYYY-MM），仅提供已发布的通报。")}, status=404
    )


def _live_bulletin(center, period):
    try:
        period = bulletins.parse_period(period)
    except bulletins.BulletinError:
        return None
    pages = BulletinPage.objects.live().select_related("center", "pdf").filter(period=period)
    pages = pages.filter(center__isnull=True) if center == bulletins.ALL else pages.filter(center__code=center)
    return pages.first()


def bulletin_list(request):
    """Every published bulletin, newest first, with the URLs of its data."""
    pages = (
        BulletinPage.objects.live().select_related("center").order_by("-period", "center__sort_order", "center__code")
    )
    center = request.GET.get("center")
    if center == bulletins.ALL:
        pages = pages.filter(center__isnull=True)
    elif center:
        pages = pages.filter(center__code=center)
    year = request.GET.get("year", "")
    if year:
        if not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100):
            return json_response({"error": _("year 应为 2000–2100 之间的四位年份")}, status=400)
        pages = pages.filter(period__year=int(year))
    page_number = request.GET.get("page", "")
    if page_number and not (page_number.isascii() and page_number.isdigit() and 0 < int(page_number) < 100_000):
        return json_response({"error": _("page 应为正整数")}, status=400)
    page_obj = Paginator(pages, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    results = []
    for page in page_obj.object_list:
        code = page.center.code if page.center_id else bulletins.ALL
        urls = bulletins.data_urls(code, page.period)
        results.append(
            {
                "center": code,
                "center_name": page.center.name if page.center_id else str(bulletins.city_name()),
                "period": bulletins.format_period(page.period),
                "title": page.title,
                "url": page.full_url,
                "published_at": page.first_published_at.isoformat() if page.first_published_at else None,
                "updated_at": page.last_published_at.isoformat() if page.last_published_at else None,
                "revision": page.live_revision_id,
                **{fmt: request.build_absolute_uri(url) for fmt, url in urls.items()},
            }
        )
    return json_response(
        {
            "total": page_obj.paginator.count,
            "page": page_obj.number,
            "pages": page_obj.paginator.num_pages,
            "results": results,
        }
    )


def _attachment(content, fmt, filename):
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def datapackage(request, page, data, version=None):
    """The Frictionless Data Package of a bulletin: its tidy CSV with the Table Schema."""
    code, period = data["center"], data["period"]
    urls = bulletins.data_urls(code, page.period, version=version)
    title = str(page.title)
    name = f"gongkai-bulletin-{code}-{period}".lower()
    descriptor = opendata.package(
        name,
        title,
        [
            opendata.resource(
                f"bulletin-{code}-{period}".lower(),
                title,
                request.build_absolute_uri(urls["csv"]),
                _("整洁数据：每行一个观测值（期间、中心、部门、指标、分子、分母、数值、单位）。"),
            )
        ],
        homepage=page.full_url or "",
        version=str(version or data.get("version") or 1),
        description=_("%(title)s的开放数据；指标定义见数据字典 %(url)s")
        % {"title": title, "url": request.build_absolute_uri("/data/dictionary/")},
    )
    return json_response(descriptor)


def serve_data(request, page, data, fmt, version=None):
    """One bulletin's data (current or an earlier version) as JSON, CSV, XLSX or datapackage.json."""
    suffix = f"-v{version}" if version else ""
    filename = f"bulletin-{data['center']}-{data['period']}{suffix}.{fmt}"
    if fmt == "datapackage":
        return datapackage(request, page, data, version)
    if fmt == "json":
        return json_response(data)
    previous, last_year = opendata.neighbours(data["center"], page.period)
    if fmt == "csv":
        content = datafiles.to_csv(
            data, previous, last_year, level=request.GET.get("level", ""), metric=request.GET.get("metric", "")
        )
        return _attachment(content, fmt, filename)
    return _attachment(datafiles.to_xlsx(data, title=page.title, previous=previous, last_year=last_year), fmt, filename)


def bulletin_file(request, center, period, fmt):
    page = _live_bulletin(center, period)
    if page is None:
        return not_found(request)
    data = bulletins.page_data(page)
    if fmt == "json":
        data = {**data, "url": page.full_url, "revision": page.live_revision_id}
        data["published_at"] = page.first_published_at.isoformat() if page.first_published_at else None
    if fmt == "pdf":
        filename = f"bulletin-{data['center']}-{data['period']}.pdf"
        return _pdf_response(request, page.pdf, filename)
    return serve_data(request, page, data, fmt)


def _pdf_response(request, document, filename):
    if document is None or not document.file:
        return not_found(request)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        return not_found(request)
    response = FileResponse(handle, content_type=CONTENT_TYPES["pdf"], filename=filename)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def bulletin_version(request, center, period, version, fmt):
    """/api/bulletins/<center>/<YYYY-MM>/v<N>.<fmt>: any version of a corrected bulletin."""
    page = _live_bulletin(center, period)
    if page is None:
        return not_found(request)
    data, document = corrections.earlier_version(page, int(version))
    if data is None:
        return not_found(request)
    if fmt == "pdf":
        return _pdf_response(request, document, f"bulletin-{data['center']}-{data['period']}-v{version}.pdf")
    if fmt == "json":
        data = {**data, "url": page.full_url}
    return serve_data(request, page, data, fmt, version=int(version))


# --- The bulletin pages' context (their models call these by name, core.pageviews) ----------

ARCHIVE_PAGE_SIZE = 24


@pageviews.register("disclosures.bulletin_archive")
def archive_context(index_page, request):
    """The archive (/bulletins/): filters by center and year, pagination."""
    pages = BulletinPage.objects.live().child_of(index_page).select_related("center")
    years = [d.year for d in pages.dates("period", "year", order="DESC")]
    centers = list(ServiceCenter.objects.order_by("sort_order", "code").values_list("code", "name"))
    center = request.GET.get("center", "")
    year = request.GET.get("year", "")
    if center == bulletins.ALL:
        pages = pages.filter(center__isnull=True)
    elif center in dict(centers):
        pages = pages.filter(center__code=center)
    else:
        center = ""
    if year.isdigit() and int(year) in years:
        pages = pages.filter(period__year=int(year))
    else:
        year = ""
    pages = pages.order_by("-period", "center__sort_order", "center__code")
    page_obj = Paginator(pages, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{key}={value}" for key, value in (("center", center), ("year", year)) if value)
    return {
        "bulletins": page_obj.object_list,
        "page_obj": page_obj,
        "query_without_page": f"{query}&" if query else "",
        "centers": [(bulletins.ALL, bulletins.city_name()), *centers],
        "years": years,
        "selected_center": center,
        "selected_year": str(year),
    }


@pageviews.register("disclosures.bulletin")
def bulletin_context(page, request):
    """One bulletin: the frozen figures, charts, tables, definitions, downloads and citation."""
    revision_id = page.live_revision_id if page.live else page.latest_revision_id
    b = bulletins.page_presentation(
        page, revision_id=revision_id, sort=request.GET.get("sort", ""), order=request.GET.get("order", "")
    )
    return {
        "b": b,
        "downloads": bulletins.data_urls(page.center_code, page.period),
        "versions": corrections.versions(b["data"], page.center_code, page.period),
        "series_url": f"/data/series/?center={page.center_code}&metric=on_time_rate",
        "published_at": page.first_published_at,
        "updated_at": page.last_published_at,
    }


TAGS = ["运行情况通报 Bulletins"]
PATH_PARAMETERS = [
    OpenApiParameter("center", OpenApiTypes.STR, OpenApiParameter.PATH, description="中心编码，all 为全市"),
    OpenApiParameter("period", OpenApiTypes.STR, OpenApiParameter.PATH, description="统计月份 YYYY-MM"),
]


class BulletinListView(PublicReadView):
    @extend_schema(
        operation_id="bulletins_list",
        summary="已发布的通报列表",
        description="新的在前，每页 100 条，含各格式数据的网址。",
        parameters=[
            OpenApiParameter("center", OpenApiTypes.STR, OpenApiParameter.QUERY, description="中心编码，all 为全市"),
            OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, description="年份 2000–2100"),
            OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="页码"),
        ],
        responses={200: BulletinListSerializer, 400: ErrorSerializer},
        tags=TAGS,
    )
    def get(self, request):
        return bulletin_list(request)


class BulletinView(PublicReadView):
    @extend_schema(
        operation_id="bulletins_retrieve",
        summary="一期通报的数据",
        description="DESIGN.md 的通报 JSON；仅已发布的通报。同一期也有 .pdf、.csv、.xlsx 和 datapackage.json。",
        parameters=PATH_PARAMETERS,
        responses={200: BulletinSerializer, 404: ErrorSerializer},
        tags=TAGS,
    )
    def get(self, request, center, period, fmt="json"):
        return bulletin_file(request, center, period, fmt)


class BulletinPackageView(PublicReadView):
    @extend_schema(
        operation_id="bulletins_datapackage",
        summary="一期通报的数据包描述（Frictionless Data Package）",
        parameters=PATH_PARAMETERS,
        responses={200: DataPackageSerializer, 404: ErrorSerializer},
        tags=TAGS,
    )
    def get(self, request, center, period, fmt="datapackage"):
        return bulletin_file(request, center, period, fmt)


class BulletinFileView(PublicReadView):
    """The files (.pdf, .csv, .xlsx, .json): described in the README, not in the JSON schema."""

    schema = None

    def get(self, request, center, period, fmt):
        return bulletin_file(request, center, period, fmt)


class BulletinVersionView(PublicReadView):
    """Earlier versions of a corrected bulletin (files and datapackage.json)."""

    schema = None

    def get(self, request, center, period, version, fmt):
        return bulletin_version(request, center, period, version, fmt)


class BulletinNotFoundView(PublicReadView):
    """Any other /api/bulletins/… path: the JSON 404 whatever the method, as before."""

    schema = None

    def get(self, request, *args, **kwargs):
        return not_found(request)

    def http_method_not_allowed(self, request, *args, **kwargs):
        return not_found(request)
