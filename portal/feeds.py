"""Atom feed of notices at /feeds/notices/ (stable URL, see DESIGN.md)."""

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags

from .notices import CATEGORY_LABELS, visible_notices


class TextSummaryAtom1Feed(Atom1Feed):
    """Atom whose entry summaries are plain text (`<summary type="text">`): Django's Atom1Feed
    declares every summary `type="html"`, so a reader would interpret markup typed into a
    plain-text summary. Use it for any feed whose item_description() returns plain text."""

    def add_item_elements(self, handler, item):
        description = item.get("description")
        super().add_item_elements(handler, {**item, "description": None})
        if description is not None:
            handler.addQuickElement("summary", description, {"type": "text"})


class NoticeFeed(Feed):
    """Every center's notices, or one center's with `?center=<code>` (404 for an unknown code)."""

    feed_type = TextSummaryAtom1Feed
    subtitle = "政务服务中心发布的通知、公告、公示和政策解读"

    def get_object(self, request):
        from .models import ServiceCenter

        code = (request.GET.get("center") or "").strip().lower()
        if not code:
            return None
        if len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
            raise Http404("找不到该服务中心。")
        center = ServiceCenter.objects.filter(code=code).first()
        if center is None:
            raise Http404("找不到该服务中心。")
        return center

    def feed_url(self, obj):
        return "/feeds/notices/" if obj is None else f"/feeds/notices/?center={obj.code}"

    def title(self, obj):
        return f"{obj.name}通知公告" if obj else "通知公告"

    def link(self, obj):
        # Absolute links from the default site (the one public base URL, portal/public_url.py),
        # not from whatever host the feed reader used.
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
        path = f"/notices/{obj.code}/" if obj else "/notices/"
        return f"{site.root_url}{path}" if site else path

    def items(self, obj):
        # Newest first regardless of pinning: a feed reader wants what is new.
        notices = visible_notices()
        if obj is not None:
            notices = notices.filter(center=obj)
        return notices.order_by("-date", "-first_published_at", "-pk")[:50]

    def item_title(self, item):
        return f"【{CATEGORY_LABELS.get(item.category, '')}】{item.title}"

    def item_description(self, item):
        return item.summary or strip_tags(item.body)[:300]

    def item_link(self, item):
        return item.full_url

    def item_pubdate(self, item):
        return item.first_published_at or timezone.make_aware(datetime.datetime.combine(item.date, datetime.time()))

    def item_updateddate(self, item):
        return item.last_published_at or self.item_pubdate(item)

    def item_author_name(self, item):
        return item.center.name if item.center_id else None

    def item_categories(self, item):
        return [str(CATEGORY_LABELS.get(item.category, item.category))]
