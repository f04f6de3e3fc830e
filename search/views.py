"""Search page, /api/search/ and /api/suggest/: thin views over search.service (the two APIs
are Django REST Framework views; shapes in search/serializers.py)."""

from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from portal.centerpref import chosen_center
from portal.restapi import PublicReadView

from . import service
from .backends.base import FACETS, FILTER_NAMES, PER_PAGE, clean_filters
from .serializers import SearchSerializer, SuggestSerializer

MAX_Q = 200


def _query(request):
    return str(request.GET.get("q", ""))[: MAX_Q * 50]


def _page(request):
    try:
        return max(1, min(int(request.GET.get("page", "1")), 100))
    except ValueError:
        return 1


def _url(q, filters, **changes):
    params = [("q", q)] if q else []
    for name in FILTER_NAMES:
        params += [(name, value) for value in filters.get(name, [])]
    params += [(key, value) for key, value in changes.items() if value]
    return "?" + urlencode(params)


def facet_groups(results, q, filters):
    """Facets with a link that adds (or removes) each value, for the no-JavaScript page."""
    groups = []
    for name, (label, _static) in FACETS.items():
        values = results.facets.get(name) or []
        chosen = filters.get(name, [])
        if not values and not chosen:
            continue
        entries = []
        for value in values[:15]:
            selected = value["value"] in chosen
            new = dict(filters)
            new[name] = [v for v in chosen if v != value["value"]] if selected else [*chosen, value["value"]]
            entries.append({**value, "selected": selected, "url": _url(q, {k: v for k, v in new.items() if v})})
        groups.append({"name": name, "label": label, "values": entries})
    return groups


@require_GET
def search_page(request):
    q = _query(request)
    filters = clean_filters(request.GET)
    page = _page(request)
    center = chosen_center(request)
    results, error = service.run_search(q, request.GET, page=page, prefer_center=center) if q.strip() else (None, "")
    context = {
        "chosen_center_name": _center_name(center),
        "search_query": q[:MAX_Q],
        "results": results,
        "error": error,
        "filters": filters,
        "facet_groups": facet_groups(results, q[:MAX_Q], filters) if results else [],
        "breadcrumbs": [{"title": _("搜索"), "url": ""}],
    }
    if results and results.pages > 1:
        context["previous_url"] = _url(q[:MAX_Q], filters, page=page - 1) if page > 1 else ""
        context["next_url"] = _url(q[:MAX_Q], filters, page=page + 1) if page < results.pages and page < 100 else ""
    if results and results.did_you_mean:
        context["did_you_mean_url"] = _url(results.did_you_mean, {})
    status = 503 if error else 200
    return render(request, "search/search.html", context, status=status)


def _center_name(code):
    if not code:
        return ""
    from portal.models import ServiceCenter

    center = ServiceCenter.objects.filter(code__iexact=code).only("name").first()
    return center.name if center else ""


def _prefer_center(request):
    """`?prefer=CODE` (API clients), else the visitor's chosen center (cookie)."""
    code = str(request.GET.get("prefer", "")).strip().lower()[:32]
    return code if code.isascii() and code.replace("-", "").replace("_", "").isalnum() else chosen_center(request)


def _query_parameter(name, description, type_=OpenApiTypes.STR):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description)


SEARCH_PARAMETERS = [
    _query_parameter("q", "检索词（支持拼音和拼音首字母）"),
    *(_query_parameter(name, f"{label}（可重复）") for name, (label, _values) in FACETS.items()),
    _query_parameter("page", "页码 1–100", OpenApiTypes.INT),
    _query_parameter("flat", "1：不按事项分组，每个文档一条"),
    _query_parameter("prefer", "优先排在前面的中心编码（默认为访客所选中心）"),
]


class SearchView(PublicReadView):
    @extend_schema(
        operation_id="search",
        summary="全站搜索",
        description="每个事项一条结果，各中心的版本在 centers 中；搜索服务不可用时返回 503 和 error。",
        parameters=SEARCH_PARAMETERS,
        responses={200: SearchSerializer, 503: SearchSerializer},
        tags=["搜索 Search"],
    )
    def get(self, request):
        return api_search(request)


class SuggestView(PublicReadView):
    @extend_schema(
        operation_id="suggest",
        summary="搜索联想",
        description="按名称和拼音前缀联想事项名称，最多 8 条。",
        parameters=[_query_parameter("q", "已输入的前缀")],
        responses={200: SuggestSerializer},
        tags=["搜索 Search"],
    )
    def get(self, request):
        return api_suggest(request)


def api_search(request):
    """One result per item with every center's copy in `centers` (DESIGN.md); `flat=1` gives
    one result per document, as before grouping."""
    q = _query(request)
    flat = request.GET.get("flat") in ("1", "true", "yes")
    results, error = service.run_search(
        q, request.GET, page=_page(request), group=not flat, prefer_center=_prefer_center(request)
    )
    body = {
        "query": results.query,
        "total": results.total,
        "documents": results.documents or results.total,
        "grouped": results.grouped,
        "estimated": results.estimated,
        "took_ms": results.took_ms,
        "page": results.page,
        "per_page": PER_PAGE,
        "mode": results.mode,
        "results": [hit.as_json() for hit in results.hits],
        "facets": results.facets or {name: [] for name in FACETS},
        "did_you_mean": results.did_you_mean,
    }
    if error:
        body["error"] = _("搜索服务暂时不可用，请稍后再试。")
    return Response(body, status=503 if error else 200)


def api_suggest(request):
    prefix = str(request.GET.get("q", ""))[:MAX_Q]
    return Response({"suggestions": service.suggestions(prefix)})
