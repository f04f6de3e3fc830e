"""Atom feed of notices at /feeds/notices/ (stable URL, see DESIGN.md)."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags

from .notices import CATEGORY_LABELS, visible_notices


class NoticeFeed(Feed):
    feed_type = Atom1Feed
    title = "通知公告"
    subtitle = "政务服务中心发布的通知、公告、公示和政策解读"

    def link(self):
        # Absolute links from the default site (the one public base URL, portal/public_url.py),
        # not from whatever host the feed reader used.
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
        return f"{site.root_url}/notices/" if site else "/notices/"

    def items(self):
        # Newest first regardless of pinning: a feed reader wants what is new.
        return visible_notices().order_by("-date", "-first_published_at", "-pk")[:50]

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
