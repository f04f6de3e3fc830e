"""HTTP endpoints for the fee schedule (page, downloads, /api/fees/) and the case push API.

Views stay thin: the fee logic is in disclosures/fees.py, case validation in disclosures/imports.py.
The JSON endpoints are Django REST Framework views (shapes in disclosures/serializers.py); the
page and the CSV/XLSX/JSON downloads stay Django views (their bytes are the files').
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.tabular import Problem, printable
from portal.models import ServiceCenter
from portal.pagecache import cacheable
from portal.restapi import PublicReadView

from . import fees
from . import imports as cases
from .models import CenterApiToken
from .serializers import (
    ErrorSerializer,
    FeeScheduleSerializer,
    PushCasesErrorSerializer,
    PushCasesResultSerializer,
    PushCasesSerializer,
)

MAX_PUSH_CASES = 1000
MAX_PUSH_BYTES = 2 * 1024 * 1024
PUSH_FIELDS = set(cases.COLUMNS)


def _json(data, status=200):
    return Response(data, status=status)


def _push_error(message, status, problems=()):
    return _json({"error": message, "problems": [p.as_dict() for p in problems]}, status=status)


def _bearer(request):
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


PUSH_ERROR = OpenApiResponse(PushCasesErrorSerializer, description="错误说明及每条问题（行、字段、原因）")


class PushCasesView(APIView):
    """The case push: token-authenticated (checked in push_cases, with its own 401 body), no
    cookies and so no CSRF (DRF views are CSRF-exempt without session authentication)."""

    http_method_names = ["post"]
    authentication_classes = []
    permission_classes = []

    def http_method_not_allowed(self, request, *args, **kwargs):
        return _push_error(_("请使用 POST 方法推送办件"), 405)

    @extend_schema(
        operation_id="cases_push",
        summary="推送办件（中心令牌）",
        description=(
            "各中心的业务系统用 `Authorization: Bearer <令牌>` 推送办件。整批要么全部写入，要么一条也不写；"
            "`?dry_run=1` 只检查不写入。每批最多 1000 条、2 MB。"
        ),
        request=PushCasesSerializer,
        parameters=[
            OpenApiParameter("dry_run", OpenApiTypes.STR, OpenApiParameter.QUERY, description="1 或 true：只检查")
        ],
        responses={200: PushCasesResultSerializer, 400: PUSH_ERROR, 401: PUSH_ERROR, 405: PUSH_ERROR, 413: PUSH_ERROR},
        tags=["办件推送 Case push"],
    )
    def post(self, request):
        return push_cases(request)


def push_cases(request):
    """POST /api/cases/ {"cases": [...]} with `Authorization: Bearer <center token>`.

    All-or-nothing per batch; 401 without a valid token, 413 when the body or batch is too big,
    400 with every (row, column, reason) for bad data; 200 {"created", "updated"} when stored.
    `?dry_run=1` checks without writing.
    """
    token = CenterApiToken.authenticate(_bearer(request))
    if token is None:
        response = _push_error(_("缺少或无效的令牌：请在 Authorization 头中提供 Bearer 令牌"), 401)
        response["WWW-Authenticate"] = 'Bearer realm="cases"'
        return response
    limit_message = _("请求体过大：每批最多 %(n)s 条办件、%(mb)s MB") % {
        "n": MAX_PUSH_CASES,
        "mb": MAX_PUSH_BYTES // (1024 * 1024),
    }
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_PUSH_BYTES:
        return _push_error(limit_message, 413)
    try:
        body = request.body
    except RequestDataTooBig:
        return _push_error(limit_message, 413)
    if len(body) > MAX_PUSH_BYTES:
        return _push_error(limit_message, 413)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # also over-long integers and too-deep nesting
        return _push_error(_("请求体不是有效的 UTF-8 JSON"), 400)
    records = document.get("cases") if isinstance(document, dict) else None
    if not isinstance(records, list):
        return _push_error(_("请求体应为 JSON 对象，并包含 cases 数组"), 400)
    if not records:
        return _push_error(_("cases 数组是空的"), 400)
    if len(records) > MAX_PUSH_CASES:
        return _push_error(
            _("一批最多 %(max)s 条办件，本批 %(n)s 条；请分批推送") % {"max": MAX_PUSH_CASES, "n": len(records)}, 413
        )
    rows, shape_problems = [], []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            shape_problems.append(Problem(number, "", _("每条办件应为 JSON 对象")))
            continue
        unknown = sorted(set(record) - PUSH_FIELDS)
        for key in unknown:
            shape_problems.append(Problem(number, printable(str(key)[:40]), _("未知的字段")))
        rows.append((number, {key: value for key, value in record.items() if key in PUSH_FIELDS}))
    if shape_problems:
        return _push_error(_("数据有误，未写入任何办件"), 400, shape_problems)
    dry_run = request.GET.get("dry_run") in ("1", "true")
    result = cases.apply_rows(rows, dry_run=dry_run, only_center=token.center.code)
    if result.problems:
        return _push_error(_("数据有误，未写入任何办件"), 400, result.problems)
    if not dry_run:
        CenterApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return _json({"created": result.created, "updated": result.updated, "dry_run": dry_run})


def _fee_filters(request):
    try:
        return fees.parse_filters(request.GET), None
    except fees.FeeQueryError as exc:
        return None, str(exc)


class FeesView(PublicReadView):
    @extend_schema(
        operation_id="fees_list",
        summary="收费目录",
        description="某日有效的收费项目（默认今天），含历次标准、收费依据和收取该费用的事项。",
        parameters=[
            OpenApiParameter("at", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="日期 YYYY-MM-DD，默认今天"),
            OpenApiParameter("center", OpenApiTypes.STR, OpenApiParameter.QUERY, description="中心编码"),
            OpenApiParameter("department", OpenApiTypes.STR, OpenApiParameter.QUERY, description="部门编码"),
        ],
        responses={200: FeeScheduleSerializer, 400: ErrorSerializer},
        tags=["收费 Fees"],
    )
    def get(self, request):
        return fees_api(request)


def fees_api(request):
    """GET /api/fees/?at=YYYY-MM-DD&center=&department= — the schedule in force that day."""
    filters, error = _fee_filters(request)
    if error:
        return _json({"error": error}, status=400)
    return _json(fees.as_json(filters, fees.schedule(filters)))


@require_GET
@cacheable
def fee_schedule(request):
    """The public fee schedule page (/fees/)."""
    filters, error = _fee_filters(request)
    rows = fees.schedule(filters) if filters else []
    centers = ServiceCenter.objects.order_by("sort_order", "code")
    departments = []
    if filters and filters.center:
        departments = filters.center.departments.order_by("code")
    query = ""
    if filters:
        from urllib.parse import urlencode

        query = urlencode(filters.as_query())
    context = {
        "filters": filters,
        "error": error,
        "fees": rows,
        "centers": centers,
        "departments": departments,
        "query": query,
        "at_value": (request.GET.get("at") or "")[:40] if error else (filters.at.isoformat() if filters else ""),
        "breadcrumbs": [{"title": _("收费目录"), "url": ""}],
    }
    return render(request, "disclosures/fee_schedule.html", context, status=400 if error else 200)


DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


@require_GET
def fee_download(request, fmt):
    """/fees/schedule.csv|.xlsx|.json with the same filters as the page."""
    filters, error = _fee_filters(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    rows = fees.schedule(filters)
    if fmt == "csv":
        content = fees.to_csv(rows)
    elif fmt == "xlsx":
        content = fees.to_xlsx(filters, rows)
    else:
        content = fees.to_json_bytes(filters, rows)
    response = HttpResponse(content, content_type=DOWNLOADS[fmt])
    name = f"fees-{filters.at.isoformat()}"
    if filters.center:
        name += f"-{filters.center.code}"
    if filters.department:
        name += f"-{filters.department.code}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    if not settings.DEBUG:
        response["Cache-Control"] = "public, max-age=300"
    return response
