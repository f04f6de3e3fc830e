"""Saved filters on admin reports (保存的筛选): an editor names the report's current filter set,
finds it again as a link above the report's filters, and deletes it.

Generic: a filter is a report key (“guides-completeness”) and the query string of the report's
own URL, so it works for any report view, whatever draws it (a plain view or Wagtail's
ReportView). A report shows the box with ``{% saved_report_filters "<key>" %}``
(portal/templatetags/saved_filters.py). Filters are per user; a saved filter holds only the query
string, so opening it runs the report with the report's own department limits — it can never
show more than the user may see.
"""

import re

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from wagtail.admin import messages

from .models import SavedReportFilter

# Parameters that are not filters: the page number and export formats.
NOT_FILTERS = {"p", "page", "export", "format"}
REPORT_KEY = re.compile(r"^[a-z0-9_-]{1,64}$")
MAX_PER_REPORT = 30
NAME_LENGTH = SavedReportFilter._meta.get_field("name").max_length
QUERY_LENGTH = SavedReportFilter._meta.get_field("querystring").max_length


def filter_querystring(querydict):
    """The filter part of a report's query: empty values, page numbers and exports left out."""
    kept = QueryDict(mutable=True)
    for key, values in querydict.lists():
        if key in NOT_FILTERS:
            continue
        for value in values:
            if value.strip():
                kept.appendlist(key, value.strip())
    return kept.urlencode()


def filters_for(user, report):
    if not getattr(user, "is_authenticated", False):
        return SavedReportFilter.objects.none()
    return SavedReportFilter.objects.filter(user=user, report=report)


def save_filter(user, report, name, querystring):
    """Save (or, under a name already used, replace) a filter; returns (filter, created).

    Raises ValidationError with a Chinese message for the editor.
    """
    name = " ".join((name or "").split())
    querystring = filter_querystring(QueryDict(querystring or ""))
    if not REPORT_KEY.match(report or ""):
        raise ValidationError(_("未知的报告。"))
    if not name:
        raise ValidationError(_("请填写筛选的名称。"))
    if len(name) > NAME_LENGTH:
        raise ValidationError(_("名称最多 %(n)s 个字。") % {"n": NAME_LENGTH})
    if not querystring:
        raise ValidationError(_("当前没有任何筛选条件，无需保存。"))
    if len(querystring) > QUERY_LENGTH:
        raise ValidationError(_("筛选条件太长，无法保存。"))
    existing = filters_for(user, report)
    saved = existing.filter(name=name).first()
    if saved is None and existing.count() >= MAX_PER_REPORT:
        raise ValidationError(_("每个报告最多保存 %(n)s 个筛选，请先删除不用的。") % {"n": MAX_PER_REPORT})
    if saved is not None:
        saved.querystring = querystring
        saved.save(update_fields=["querystring"])
        return saved, False
    return SavedReportFilter.objects.create(user=user, report=report, name=name, querystring=querystring), True


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return "wagtailadmin_home"


def save_view(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        saved, created = save_filter(
            request.user, request.POST.get("report", ""), request.POST.get("name", ""), request.POST.get("querystring")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back(request))
    if created:
        messages.success(request, _("已保存筛选“%(name)s”。") % {"name": saved.name})
    else:
        messages.success(request, _("已更新筛选“%(name)s”。") % {"name": saved.name})
    return redirect(_back(request))


def delete_view(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    saved = SavedReportFilter.objects.filter(pk=pk, user=request.user).first()
    if saved is None:  # another user's filter is as good as missing
        raise Http404
    saved.delete()
    messages.success(request, _("已删除筛选“%(name)s”。") % {"name": saved.name})
    return redirect(_back(request))
