"""Thin public views for the catalog; the logic lives in browsing.py, presentation.py, history.py."""

from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core import pageviews
from portal.fixed_titles import display_title

from . import browsing, item_page, pagecache, presentation
from .choices import AUDIENCE_LEGAL, AUDIENCE_PERSON
from .flowchart import flow_svg
from .handling_rules import rules_of
from .history import item_history

PAGE_SIZE = 20


@pageviews.register("guides.browse")
def browse(request, index_page):
    return pagecache.cached_page(request, lambda: _browse(request, index_page))


def _browse(request, index_page):
    from portal.centerpref import chosen_center

    filters = browsing.parse_filters(request.GET)
    facet_values = browsing.facets(filters, index_page)
    matching = browsing.filtered(filters, index_page)
    # One entry per item (the same name and type in several centers), the chosen center's first.
    paginator = Paginator(browsing.grouped(matching), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    items = browsing.expand_groups(page_obj.object_list, matching, index_page, chosen_center(request))
    audience = filters.get("audience")
    groups = browsing.theme_groups(audience, index_page) if audience and not filters.get("theme") else None
    for group in groups or []:
        group["query"] = filters.query(theme=group["theme"].slug)
    context = {
        "page": index_page,
        "self": index_page,
        "page_obj": page_obj,
        "items": items,
        "filters": filters,
        "facets": facet_values,
        "chips": browsing.selected_labels(filters, facet_values),
        "query_without_page": (filters.query() + "&") if filters.values else "",
        "theme_groups": groups,
        "all_audiences_query": filters.query(audience=None),
        "all_letters_query": filters.query(letter=None),
        "breadcrumbs": [{"title": display_title(index_page.title), "url": None}],
    }
    center_code = filters.values.get("center")
    if center_code and page_obj.number == 1:  # a center's page: its 热门事项 above the list
        from .popularity import popular_panel

        context["popular"] = popular_panel(request, center_code=center_code, limit=6)
    status = 400 if filters.errors and not filters.values else 200
    return TemplateResponse(request, "guides/guide_index_page.html", context, status=status)


@pageviews.register("guides.themes")
def themes(request, index_page, audience):
    if audience not in (AUDIENCE_PERSON, AUDIENCE_LEGAL):
        raise Http404
    groups = browsing.theme_groups(audience, index_page)
    title = "个人办事" if audience == AUDIENCE_PERSON else "法人办事"
    from django.utils.translation import gettext as _

    context = {
        "page": index_page,
        "self": index_page,
        "audience": audience,
        "title": _(title),
        "theme_groups": groups,
        "breadcrumbs": [
            {"title": display_title(index_page.title), "url": index_page.url},
            {"title": _(title), "url": None},
        ],
    }
    return TemplateResponse(request, "guides/themes.html", context)


def catalog_url(item_url):
    """The catalog's URL from an item's: its first path segment (/guides/…), without a query."""
    parts = item_url.split("/")
    return "/".join(parts[:2]) + "/" if len(parts) > 2 and item_url.startswith("/") else "/guides/"


@pageviews.register("guides.item_context")
def item_context(item, request):
    """Everything the item page shows; a fixed number of queries whatever the item's size."""
    presentation.prefetch_item(item)
    from .completeness import completeness

    result = completeness(item)
    fees = presentation.fees_in_force(item)
    relative = item.get_url(request) or ""
    url = request.build_absolute_uri(relative) if request else item.full_url
    index_url = catalog_url(relative)
    return {
        "item": item,
        "completeness": result,
        "sections": presentation.sections(result),
        "fees": fees,
        "powers": presentation.window_powers(item),
        "handling_rules": rules_of(item),
        "flowchart": flow_svg(item.steps.all(), _("%(title)s 办理流程图") % {"title": item.title}),
        "materials": presentation.material_rows(item),
        "result": presentation.result_info(item),
        "history": item_history(item),
        "jsonld": presentation.json_script_safe(presentation.government_service_jsonld(item, url, fees)),
        "breadcrumbs": presentation.breadcrumbs(item, index_url),
    }


@pageviews.register("guides.item")
def item(request, page):
    item_page.visit(request, page.pk)  # cacheable, and counted for 热门事项
    return item_page.render(request, page)


@pageviews.register("guides.checklist")
def checklist(request, page):
    def render():
        presentation.prefetch_item(page)
        index_url = catalog_url(page.get_url(request) or "")
        crumbs = presentation.breadcrumbs(page, index_url)
        crumbs[-1]["url"] = page.get_url(request)
        from django.utils.translation import gettext as _

        crumbs.append({"title": _("材料清单"), "url": None})
        context = {
            "page": page,
            "self": page,
            "item": page,
            "materials": presentation.material_rows(page),
            "breadcrumbs": crumbs,
        }
        return TemplateResponse(request, "guides/guide_checklist.html", context)

    return pagecache.cached_page(request, render)
