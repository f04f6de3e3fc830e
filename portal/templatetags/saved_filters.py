"""``{% saved_report_filters "<report key>" %}``: the saved-filters box above a report's filters
(portal/saved_filters.py)."""

from django import template

from ..saved_filters import filter_querystring, filters_for

register = template.Library()


@register.inclusion_tag("portal/admin/saved_filters.html", takes_context=True)
def saved_report_filters(context, report):
    request = context["request"]
    current = filter_querystring(request.GET)
    saved = list(filters_for(request.user, report))
    return {
        "report": report,
        "path": request.path,
        "current": current,
        "current_url": request.get_full_path(),
        "saved_filters": saved,
        "current_saved": next((item for item in saved if item.querystring == current), None),
        "csrf_token": context.get("csrf_token"),
    }
