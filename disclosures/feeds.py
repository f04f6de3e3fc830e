"""Atom feed of published bulletins at /feeds/bulletins/ (stable URL, see DESIGN.md)."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from . import bulletin_tables as tables
from . import bulletins


class BulletinFeed(Feed):
    feed_type = Atom1Feed
    title = _("运行情况通报")
    link = "/bulletins/"
    subtitle = _("各政务服务中心和全市每月的运行情况通报：受理量、办结量、按时办结率等指标及其计数")

    def items(self):
        from .models import BulletinPage

        return BulletinPage.objects.live().select_related("center").order_by("-first_published_at", "-pk")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        """A plain summary: the key figures with the counts behind them."""
        data = bulletins.page_data(item)
        if tables.is_empty(data):
            return _("%(period)s没有办件记录。") % {"period": bulletins.period_label(item.period)}
        parts = []
        for row in tables.summary_rows(data)[:5]:
            if row["is_rate"]:
                parts.append(f"{row['label']} {row['display']}（{row['numerator']}/{row['denominator']}）")
            else:
                parts.append(f"{row['label']} {row['display']}")
        return "；".join(parts)

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return item.full_url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def item_author_name(self, item):
        return item.center.name if item.center_id else str(bulletins.city_name())

    def item_categories(self, item):
        return [bulletins.period_label(item.period)]
