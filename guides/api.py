"""JSON API for the catalog: /api/items/ (paged, filterable) and /api/items/<center>/<item_code>/.

Django REST Framework views (portal/restapi.py keeps the former bytes: UTF-8, not ASCII-escaped);
the shapes are guides/serializers.py. Bad parameters give 400 with a Chinese message; unknown
items 404; never a 500 for bad input.
"""

from django.core.paginator import EmptyPage, Paginator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from portal import codes
from portal.restapi import PublicReadView, error, json_response

from . import browsing, presentation
from .models import GuidePage, Theme
from .serializers import ItemDetailSerializer, ItemErrorSerializer, ItemPageSerializer, ItemSummarySerializer

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
API_FILTERS = ["center", "department", "audience", "theme", "type", "charges", "handling", "letter"]


def _check_codes(filters):
    """Unknown center/department/theme codes are a client error, not an empty result."""
    from portal.models import Department, ServiceCenter

    checks = [
        ("center", ServiceCenter.objects.filter(code=filters.get("center")), _("未知的中心编码：%(value)s")),
        ("department", Department.objects.filter(code=filters.get("department")), _("未知的部门编码：%(value)s")),
        ("theme", Theme.objects.filter(slug=filters.get("theme")), _("未知的主题：%(value)s")),
    ]
    for name, queryset, message in checks:
        if filters.get(name) and not queryset.exists():
            return name, message % {"value": filters.get(name)}
    return None


def _parameter(name, description, type_=str):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description)


LIST_PARAMETERS = [
    _parameter("center", "中心编码"),
    _parameter("department", "部门编码"),
    _parameter("audience", "服务对象：person（个人）或 legal（法人）"),
    _parameter("theme", "主题（slug）"),
    _parameter("type", "事项类型代码"),
    _parameter("charges", "是否收费：1（收费）或 0（不收费）"),
    _parameter("handling", "办件类型：immediate（即办件）或 promised（承诺件）"),
    _parameter("letter", "事项名称拼音首字母：A–Z 或 #"),
    _parameter("page", "页码，从 1 开始", int),
    _parameter("page_size", f"每页条数，1–{MAX_PAGE_SIZE}，默认 {PAGE_SIZE}", int),
]


class ItemListView(PublicReadView):
    @extend_schema(
        operation_id="items_list",
        summary="事项列表（分页、可筛选）",
        description="按中心、部门、服务对象、主题等筛选的办事指南事项；未知参数或编码返回 400。",
        parameters=LIST_PARAMETERS,
        responses={200: ItemPageSerializer, 400: ItemErrorSerializer, 404: ItemErrorSerializer},
        tags=["事项 Items"],
    )
    def get(self, request):
        return item_list(request)


class ItemDetailView(PublicReadView):
    @extend_schema(
        operation_id="items_retrieve",
        summary="事项详情",
        description="一个事项的全部公开要素（DESIGN.md 的形状）及完整度；事项编码不区分大小写。",
        parameters=[
            OpenApiParameter("center", OpenApiTypes.STR, OpenApiParameter.PATH, description="中心编码"),
            OpenApiParameter("item_code", OpenApiTypes.STR, OpenApiParameter.PATH, description="事项编码"),
        ],
        responses={200: ItemDetailSerializer, 404: ItemErrorSerializer},
        tags=["事项 Items"],
    )
    def get(self, request, center, item_code):
        return item_view(request, center, item_code)


def item_list(request):
    unknown = sorted(set(request.query_params) - {*API_FILTERS, "page", "page_size"})
    if unknown:
        return error(_("不支持的参数：%(names)s") % {"names": "、".join(unknown)}, parameters=unknown)
    filters = browsing.parse_filters(request.query_params)
    if filters.errors:
        problem = filters.errors[0]
        return error(problem.message, parameter=problem.name)
    bad_code = _check_codes(filters)
    if bad_code:
        return error(bad_code[1], parameter=bad_code[0])
    try:
        page_number = int(request.query_params.get("page", "1"))
        page_size = int(request.query_params.get("page_size", str(PAGE_SIZE)))
    except ValueError:
        return error(_("page 和 page_size 必须是正整数"))
    if page_number < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        return error(_("page 必须不小于 1，page_size 必须在 1 到 %(max)s 之间") % {"max": MAX_PAGE_SIZE})
    queryset = browsing.ordered(browsing.filtered(filters)).select_related("center", "department")
    paginator = Paginator(queryset, page_size)
    try:
        page = paginator.page(page_number)
    except EmptyPage:
        return error(_("页码超出范围（共 %(n)s 页）") % {"n": paginator.num_pages}, status=404)

    def link(number):
        params = {**filters.values, "page": number}
        if page_size != PAGE_SIZE:
            params["page_size"] = page_size
        return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")

    return json_response(
        {
            "count": paginator.count,
            "page": page_number,
            "num_pages": paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": ItemSummarySerializer(page.object_list, many=True, context={"request": request}).data,
        }
    )


def item_view(request, center, item_code):
    item = (
        GuidePage.objects.live()
        .select_related("center", "department")
        # Codes compare without case (portal/codes.py): SCJG-001-01 and scjg-001-01 are one item.
        .filter(center__code=codes.org_code(center), item_code__iexact=codes.clean(item_code))
        .first()
    )
    if item is not None:
        presentation.prefetch_item(item)
    if item is None:
        return error(
            _("未找到事项：中心 %(center)s，事项编码 %(code)s") % {"center": center, "code": item_code}, status=404
        )
    return json_response(ItemDetailSerializer(item, context={"request": request}).data)
