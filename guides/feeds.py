"""Atom feed of changes to items' fees and time limits at /feeds/changes/ (`?center=<code>` for
one center), from the public change history (guides.history) and the fee schedule's versions.

Two sources, both public already: an item's published revisions whose diff touches its fees
(收费标准) or time limits (法定/承诺办结时限), and new versions of a fee item (收费项目) whose
amount or formula differs from the version before. Newest first, at most FEED_SIZE entries.
"""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.feeds import TextSummaryAtom1Feed

from .history import PUBLISH_ACTION, item_history

FEED_SIZE = 50
RECENT_PUBLICATIONS = 300  # publish log entries looked at (the pages they name are diffed)
WATCHED_FIELDS = {"fees", "statutory_days", "promised_days"}


@dataclass
class Change:
    date: datetime.date
    title: str
    text: str
    link: str
    guid: str
    center_name: str


def _item_changes(center):
    from wagtail.models import PageLogEntry

    from .models import GuidePage

    logs = PageLogEntry.objects.filter(action=PUBLISH_ACTION, page__in=GuidePage.objects.live().values("pk"))
    if center is not None:
        logs = logs.filter(page__in=GuidePage.objects.filter(center=center).values("pk"))
    page_ids = list(dict.fromkeys(logs.order_by("-timestamp").values_list("page_id", flat=True)[:RECENT_PUBLICATIONS]))
    pages = GuidePage.objects.live().filter(pk__in=page_ids[:FEED_SIZE]).select_related("center")
    out = []
    for page in pages:
        for entry in item_history(page):
            watched = [c for c in entry["changes"] if c["field"] in WATCHED_FIELDS]
            if entry["first"] or not watched:
                continue
            out.append(
                Change(
                    date=entry["date"],
                    title=f"{page.title}：" + "；".join(c["text"] for c in watched[:3]),
                    text="；".join(c["text"] for c in watched),
                    link=f"{page.url}#change-history",
                    guid=f"{page.full_url}#revision-{entry['revision_id']}",
                    center_name=page.center.name if page.center_id else "",
                )
            )
    return out


def _fee_changes(center):
    from .models import FeeItem

    versions = FeeItem.objects.select_related("department__center").order_by("-effective_from", "-pk")
    if center is not None:
        versions = versions.filter(department__center=center)
    out = []
    for fee in versions[:FEED_SIZE]:
        previous = (
            FeeItem.objects.filter(
                department_id=fee.department_id, code=fee.code, effective_from__lt=fee.effective_from
            )
            .order_by("-effective_from")
            .first()
        )
        if previous is None or previous.price_text == fee.price_text:
            continue
        text = _("收费项目“%(name)s”%(old)s → %(new)s，自%(day)s起执行") % {
            "name": fee.name,
            "old": previous.price_text,
            "new": fee.price_text,
            "day": fee.effective_from.isoformat(),
        }
        out.append(
            Change(
                date=fee.effective_from,
                title=text,
                text=text,
                link=f"/fees/?center={fee.department.center.code}&department={fee.department.code}",
                guid=f"fee-{fee.department.center.code}-{fee.department.code}-{fee.code}-{fee.effective_from}",
                center_name=fee.department.center.name,
            )
        )
    return out


class ItemChangesFeed(Feed):
    feed_type = TextSummaryAtom1Feed  # plain-text summaries (portal.feeds)

    def get_object(self, request):
        from portal.models import ServiceCenter

        code = (request.GET.get("center") or "").strip().lower()
        if not code:
            return None
        if len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
            raise Http404("找不到该服务中心。")
        center = ServiceCenter.objects.filter(code=code).first()
        if center is None:
            raise Http404(_("找不到该服务中心。"))
        return center

    def feed_url(self, obj):
        return "/feeds/changes/" if obj is None else f"/feeds/changes/?center={obj.code}"

    def title(self, obj):
        return _("%(center)s事项收费和时限变更") % {"center": obj.name if obj else _("各中心")}

    def link(self, obj):
        return f"/fees/?center={obj.code}" if obj else "/fees/"

    def subtitle(self, obj):
        return _("事项收费标准、法定和承诺办结时限的调整，以及收费项目的新标准，取自公开的变更记录。")

    def items(self, obj):
        changes = _item_changes(obj) + _fee_changes(obj)
        changes.sort(key=lambda c: c.date, reverse=True)
        return changes[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.text

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return item.guid

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time()))

    def item_author_name(self, item):
        return item.center_name or None
