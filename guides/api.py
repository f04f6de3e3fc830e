"""JSON API for the catalog: /api/items/ (paged, filterable) and /api/items/<center>/<item_code>/.

Plain Django views returning JsonResponse (UTF-8, not ASCII-escaped). Bad parameters give 400
with a Chinese message; unknown items 404; never a 500 for bad input.
"""

from django.core.paginator import EmptyPage, Paginator
from django.http import JsonResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal import codes

from . import browsing, presentation
from .completeness import completeness
from .handling_rules import rules_of
from .models import POWER_CODES, GuidePage, Theme, power_field

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
API_FILTERS = ["center", "department", "audience", "theme", "type", "charges", "handling", "letter"]


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(message, status=400, **extra):
    return _json({"error": message, **extra}, status=status)


def _absolute(request, page):
    url = page.get_url(request)
    return request.build_absolute_uri(url) if url else None


def item_summary(item, request):
    return {
        "center": item.center.code,
        "item_code": item.item_code,
        "name": item.title,
        "url": _absolute(request, item),
        "department": item.department.code,
        "department_name": item.department.name,
        "item_type": item.item_type,
        "audience": item.audience,
        "charges": item.charges,
        "handling_type": item.handling_type,
        "statutory_days": item.statutory_days,
        "promised_days": item.promised_days,
        "detail": request.build_absolute_uri(f"/api/items/{item.center.code}/{item.item_code}/"),
    }


def item_detail(item, request):
    """The DESIGN.md shape: every disclosure and the completeness (item prefetched)."""
    result = completeness(item)
    fees = presentation.fees_in_force(item)
    data = {
        "center": item.center.code,
        "center_name": item.center.name,
        "item_code": item.item_code,
        "name": item.title,
        "url": _absolute(request, item),
        "department": item.department.code,
        "department_name": item.department.name,
        "item_type": item.item_type,
        "item_type_label": str(item.get_item_type_display()),
        "audience": item.audience,
        "themes": [{"slug": theme.slug, "name": theme.name} for theme in item.themes.all()],
        "should_enter": item.should_enter,
        "entered": item.entered,
        "statutory_days": item.statutory_days,
        "promised_days": item.promised_days,
        "charges": item.charges,
        "procedure": {
            "handling_type": item.handling_type,
            "acceptance_conditions": item.acceptance_conditions,
            "visits_required": item.visits_required,
            "online_url": item.online_url,
            "steps": [
                {"name": s.name, "description": s.description, "who": s.who, "time_limit": s.time_limit}
                for s in item.steps.all()
            ],
        },
        "legal_basis": [
            {"title": b.title, "issuer": b.issuer, "article": b.article, "url": b.url} for b in item.legal_basis.all()
        ],
        "materials": [
            {
                "name": m.name,
                "source": m.source,
                "originals": m.originals,
                "copies": m.copies,
                "format": m.format,
                "required": m.requirement,
                "notes": m.notes,
                "blank_form": _document(request, m.blank_form),
                "sample": _document(request, m.sample),
                "instructions": m.instructions,
                "deferrable": m.deferrable,
                "notify_commit": m.notify_commit,
                "e_license": m.e_license,
            }
            for m in item.materials.all()
        ],
        "fees": [
            {
                "code": entry["fee"].code,
                "name": entry["fee"].name,
                "amount": None if entry["fee"].amount is None else f"{entry['fee'].amount:f}",
                "formula": entry["fee"].formula,
                "unit": entry["fee"].unit,
                "effective_from": entry["fee"].effective_from.isoformat(),
                "effective_to": entry["fee"].effective_to.isoformat() if entry["fee"].effective_to else None,
                "in_force": entry["in_force"],
                "basis": [
                    {"title": b.title, "document_number": b.document_number, "issuer": b.issuer, "url": b.url}
                    for b in entry["fee"].basis.all()
                ],
            }
            for entry in fees
        ],
        "window_authority": {code: bool(getattr(item, power_field(code))) for code in POWER_CODES},
        "handling_rules": rules_of(item),
        "result": _result(request, item),
        "place": item.place,
        "hours": item.hours,
        "consult_phone": item.consult_phone,
        "complaint_phone": item.complaint_phone,
        "last_reviewed": item.last_reviewed.isoformat() if item.last_reviewed else None,
        "completeness": {"present": result["present"], "missing": result["missing"]},
    }
    return data


def _result(request, item):
    """办理结果 with its samples (absolute URLs); the same public-only rule as the item page."""
    info = presentation.result_info(item)
    image = info["image"]
    return {
        "name": info["name"],
        "type": info["type"] or None,
        "type_label": info["type_label"] or None,
        "sample": {**info["document"], "url": request.build_absolute_uri(info["document"]["url"])}
        if info["document"]
        else None,
        "sample_image": {
            "url": request.build_absolute_uri(image.file.url),
            "title": image.title,
            "width": image.width,
            "height": image.height,
        }
        if image is not None
        else None,
    }


def _document(request, document):
    info = presentation.document_info(document)
    if info is None:
        return None
    return {**info, "url": request.build_absolute_uri(info["url"])}


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


@require_GET
def item_list(request):
    unknown = sorted(set(request.GET) - {*API_FILTERS, "page", "page_size"})
    if unknown:
        return _error(_("不支持的参数：%(names)s") % {"names": "、".join(unknown)}, parameters=unknown)
    filters = browsing.parse_filters(request.GET)
    if filters.errors:
        error = filters.errors[0]
        return _error(error.message, parameter=error.name)
    bad_code = _check_codes(filters)
    if bad_code:
        return _error(bad_code[1], parameter=bad_code[0])
    try:
        page_number = int(request.GET.get("page", "1"))
        page_size = int(request.GET.get("page_size", str(PAGE_SIZE)))
    except ValueError:
        return _error(_("page 和 page_size 必须是正整数"))
    if page_number < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        return _error(_("page 必须不小于 1，page_size 必须在 1 到 %(max)s 之间") % {"max": MAX_PAGE_SIZE})
    queryset = browsing.ordered(browsing.filtered(filters)).select_related("center", "department")
    paginator = Paginator(queryset, page_size)
    try:
        page = paginator.page(page_number)
    except EmptyPage:
        return _error(_("页码超出范围（共 %(n)s 页）") % {"n": paginator.num_pages}, status=404)

    def link(number):
        params = {**filters.values, "page": number}
        if page_size != PAGE_SIZE:
            params["page_size"] = page_size
        return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")

    return _json(
        {
            "count": paginator.count,
            "page": page_number,
            "num_pages": paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [item_summary(item, request) for item in page.object_list],
        }
    )


@require_GET
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
        return _error(
            _("未找到事项：中心 %(center)s，事项编码 %(code)s") % {"center": center, "code": item_code}, status=404
        )
    return _json(item_detail(item, request))
