"""Notices (通知公告): what the listing, the feed and the home panel show.

Pinned notices come first, then the newest. A notice whose expiry has passed is hidden at once,
even before the scheduler unpublishes it.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core import pageviews

from .choices import NOTICE_CATEGORIES
from .models import NoticeIndexPage, NoticePage

CATEGORY_LABELS = dict(NOTICE_CATEGORIES)


def visible_notices(within=None, category=None):
    """Live, unexpired notices (under `within`, an index page, when given), pinned first."""
    notices = NoticePage.objects.live().filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()))
    if within is not None:
        notices = notices.descendant_of(within)
    if category:
        notices = notices.filter(category=category)
    return notices.select_related("center").order_by("-pinned", "-date", "-first_published_at", "-pk")


def searchable_notices():
    """Every live, public notice (search indexes them: core.registries.register_searchable)."""
    return NoticePage.objects.live().public().select_related("center").order_by("pk")


@pageviews.register("portal.notice_listing")
def listing_context(index, request):
    category = request.GET.get("category", "")
    if category not in CATEGORY_LABELS:
        category = ""
    paginator = Paginator(visible_notices(index, category), getattr(settings, "NOTICES_PER_PAGE", 20))
    page_obj = paginator.get_page(request.GET.get("page"))
    return {
        "notices": page_obj.object_list,
        "page_obj": page_obj,
        "category": category,
        "categories": [
            {
                "value": value,
                "label": label,
                "url": "?" + urlencode({"category": value}) if value else "?",
                "current": value == category,
            }
            for value, label in [("", _("全部")), *NOTICE_CATEGORIES]
        ],
        "query_without_page": urlencode({"category": category}) + "&" if category else "",
        "center_indexes": NoticeIndexPage.objects.child_of(index).live().filter(center__isnull=False)
        if index.center_id is None
        else [],
    }


def latest_notices(limit=5):
    return list(visible_notices()[:limit])


def home_panel(request):
    """Context of the home page's "latest notices" panel (None hides it)."""
    notices = latest_notices()
    index = NoticeIndexPage.objects.live().filter(center__isnull=True).first()
    if not notices and index is None:
        return None
    return {"notices": notices, "index_url": index.url if index else "/notices/"}
