"""热门事项: what citizens actually open and search for, per day, and the ranking built from it.

`ItemViewDay` holds page views per item and day (filled from the buffer in guides/viewcounts.py,
never written by a page request). `ItemPopularity` is the ranking of the last 30 days, rebuilt
by the `popular-items` schedule (search/popular.py adds the search counts, since searches belong
to the search app). Pages read the ranking with one query and fall back to the items editors
marked 常办事项 when there is no usage data yet; when there are none of those either, they say
nothing.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import ServiceCenter

WINDOW_DAYS = 30


class ItemViewDay(models.Model):
    """Views of one item's public page on one day (anonymous, non-bot GETs; counts only)."""

    page = models.ForeignKey("guides.GuidePage", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    views = models.PositiveIntegerField(_("浏览次数"), default=0)

    class Meta:
        verbose_name = _("事项浏览统计")
        verbose_name_plural = _("事项浏览统计")
        constraints = [models.UniqueConstraint(fields=["page", "day"], name="guides_itemviewday_page_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.day} #{self.page_id} ×{self.views}"


class ItemPopularity(models.Model):
    """One item's place in the 热门事项 ranking of the last WINDOW_DAYS days (rebuilt, not edited)."""

    page = models.OneToOneField("guides.GuidePage", on_delete=models.CASCADE, related_name="+")
    center = models.ForeignKey(ServiceCenter, on_delete=models.CASCADE, related_name="+")
    views = models.PositiveIntegerField(_("浏览次数"), default=0)
    searches = models.FloatField(_("搜索次数"), default=0)
    score = models.FloatField(_("热度"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("热门事项")
        verbose_name_plural = _("热门事项")
        indexes = [models.Index(fields=["-score"]), models.Index(fields=["center", "-score"])]

    def __str__(self):
        return f"#{self.page_id} {self.score:.1f}"


def ranked_items(*, center_code=None, limit=8):
    """The most popular live items (newest ranking), best first; one query for the ranking and
    one for the pages. Items of the same name in several centers appear once (the best)."""
    from .models import GuidePage

    rows = ItemPopularity.objects.filter(score__gt=0)
    if center_code:
        rows = rows.filter(center__code=center_code)
    ranking = list(rows.order_by("-score", "page_id").values_list("page_id", "views", "searches")[: limit * 4])
    if not ranking:
        return []
    pages = {
        page.pk: page
        for page in GuidePage.objects.live()
        .filter(pk__in=[row[0] for row in ranking])
        .select_related("department")
        .only("title", "url_path", "path", "depth", "department__name")
    }
    result, seen = [], set()
    for page_id, views, searches in ranking:
        page = pages.get(page_id)
        if page is None or page.title in seen:
            continue
        seen.add(page.title)
        page.popular_views, page.popular_searches = views, round(searches)
        result.append(page)
        if len(result) >= limit:
            break
    return result


def featured_items(*, center_code=None, limit=8):
    """常办事项 marked by editors (the curated fallback)."""
    from .models import GuidePage

    items = GuidePage.objects.live().filter(featured=True)
    if center_code:
        items = items.filter(center__code=center_code)
    return list(
        items.select_related("department")
        .only("title", "url_path", "path", "depth", "department__name")
        .order_by("pinyin")[:limit]
    )


def popular_panel(request, *, center_code=None, limit=8):
    """{title, note, items: [{title, url, department, views, searches}]} or None (say nothing)."""
    from django.utils.translation import gettext as gettext_now

    items = ranked_items(center_code=center_code, limit=limit)
    if items:
        title = gettext_now("热门事项")
        note = gettext_now("近 %(days)s 天浏览和搜索最多") % {"days": WINDOW_DAYS}
    else:
        items = featured_items(center_code=center_code, limit=limit)
        title, note = gettext_now("常办事项"), ""
    if not items:
        return None
    return {
        "title": title,
        "note": note,
        "ranked": bool(note),
        "items": [
            {
                "title": item.title,
                "url": item.get_url(request),
                "department": item.department.name,
                "views": getattr(item, "popular_views", None),
                "searches": getattr(item, "popular_searches", None),
            }
            for item in items
        ],
    }
