"""Atom feed of notices at /feeds/notices/ (stable URL, see DESIGN.md)."""

import datetime

from django.contrib.syndication.views import Feed
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
    feed_type = TextSummaryAtom1Feed
    title = "通知公告"
    link = "/notices/"
    subtitle = "政务服务中心发布的通知、公告、公示和政策解读"

    def items(self):
        # Newest first regardless of pinning: a feed reader wants what is new.
        return visible_notices().order_by("-date", "-first_published_at", "-pk")[:50]

    def item_title(self, item):
        return f"【{CATEGORY_LABELS.get(item.category, '')}】{item.title}"

    def item_description(self, item):
        return item.summary or strip_tags(item.body)[:300]

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at or timezone.make_aware(datetime.datetime.combine(item.date, datetime.time()))

    def item_updateddate(self, item):
        return item.last_published_at or self.item_pubdate(item)

    def item_author_name(self, item):
        return item.center.name if item.center_id else None

    def item_categories(self, item):
        return [str(CATEGORY_LABELS.get(item.category, item.category))]
