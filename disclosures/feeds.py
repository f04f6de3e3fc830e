"""Atom feed of published bulletins at /feeds/bulletins/ (stable URL, see DESIGN.md).

`?center=<code>` gives one center's bulletins (`all`: the whole city's); entries are ordered by
period, newest first. A corrected bulletin gets an extra entry for its latest correction (its own
id, so feed readers show it as new) with the change note.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _

from portal.feeds import TextSummaryAtom1Feed

from . import bulletin_tables as tables
from . import bulletins, corrections

FEED_SIZE = 50


@dataclass
class Entry:
    page: object
    data: dict
    note: dict | None = None  # a correction note: the entry announces that correction


class BulletinFeed(Feed):
    feed_type = TextSummaryAtom1Feed  # plain-text summaries (portal.feeds)

    def get_object(self, request):
        from portal.models import ServiceCenter

        code = (request.GET.get("center") or "").strip().lower()
        if not code:
            return None
        if len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
            raise Http404("找不到该服务中心。")
        if code == bulletins.ALL:
            return bulletins.ALL
        center = ServiceCenter.objects.filter(code=code).first()
        if center is None:
            raise Http404(_("找不到该服务中心。"))
        return center

    def feed_url(self, obj):
        return (
            "/feeds/bulletins/"
            if obj is None
            else f"/feeds/bulletins/?center={obj if obj == bulletins.ALL else obj.code}"
        )

    def title(self, obj):
        if obj is None:
            return _("运行情况通报")
        name = bulletins.city_name() if obj == bulletins.ALL else obj.name
        return _("%(center)s运行情况通报") % {"center": name}

    def link(self, obj):
        if obj is None:
            return "/bulletins/"
        return f"/bulletins/?center={obj if obj == bulletins.ALL else obj.code}"

    def subtitle(self, obj):
        return _("每月的运行情况通报：受理量、办结量、按时办结率等指标及其计数；数据更正时发布更正说明。")

    def items(self, obj):
        from .models import BulletinPage

        pages = BulletinPage.objects.live().select_related("center")
        if obj == bulletins.ALL:
            pages = pages.filter(center__isnull=True)
        elif obj is not None:
            pages = pages.filter(center=obj)
        pages = pages.order_by("-period", F("center__sort_order").asc(nulls_first=True), "center__code")
        entries = []
        for page in pages[:FEED_SIZE]:
            data = bulletins.page_data(page)
            notes = data.get("corrections") or []
            if notes:
                entries.append(Entry(page, data, notes[-1]))
            entries.append(Entry(page, data))
        return entries

    def item_title(self, item):
        if item.note:
            return _("【更正】%(title)s（第%(v)s版）") % {"title": item.page.title, "v": item.note["version"]}
        return item.page.title

    def item_description(self, item):
        """A plain summary: the key figures with the counts behind them (or the change note)."""
        if item.note:
            return corrections.summary(item.note)
        data = item.data
        if tables.is_empty(data):
            return _("%(period)s没有办件记录。") % {"period": bulletins.period_label(item.page.period)}
        parts = []
        for row in tables.summary_rows(data)[:5]:
            if row["is_rate"]:
                parts.append(f"{row['label']} {row['display']}（{row['numerator']}/{row['denominator']}）")
            else:
                parts.append(f"{row['label']} {row['display']}")
        return "；".join(parts)

    def item_link(self, item):
        return item.page.url + ("#downloads" if item.note else "")

    def item_guid(self, item):
        return item.page.full_url + (f"#v{item.note['version']}" if item.note else "")

    def item_pubdate(self, item):
        if item.note:
            return item.page.last_published_at or item.page.first_published_at
        return item.page.first_published_at

    def item_updateddate(self, item):
        return item.page.last_published_at or item.page.first_published_at

    def item_author_name(self, item):
        return item.page.center.name if item.page.center_id else str(bulletins.city_name())

    def item_categories(self, item):
        labels = [bulletins.period_label(item.page.period)]
        return [*labels, _("更正")] if item.note else labels
