"""热门事项: what citizens actually open and search for, per day, and the ranking built from it.

`ItemViewDay` holds page views per item and day (filled from the buffer in guides/viewcounts.py,
never written by a page request). `ItemPopularity` is the ranking of the last 30 days, rebuilt
by the `popular-items` schedule (search/popular.py adds the search counts, since searches belong
to the search app). Pages read the ranking with one query, which also falls back to the items editors
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

    page = models.OneToOneField("guides.GuidePage", on_delete=models.CASCADE, related_name="popularity")
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


def panel_items(*, center_code=None, limit=8):
    """(ranked, items): the most popular live items of the newest ranking, best first, or — with
    no ranking — the items editors marked 常办事项. One query either way (the page cost budgets
    of the home and center pages count it). Items of the same name in several centers appear
    once (the best)."""
    from django.db.models import F, Q

    from .models import GuidePage

    rows = (
        GuidePage.objects.live()
        .filter(Q(popularity__score__gt=0) | Q(featured=True))
        .annotate(
            popular_score=F("popularity__score"),
            popular_views=F("popularity__views"),
            popular_searches=F("popularity__searches"),
        )
        .select_related("department")
        .only("title", "url_path", "path", "depth", "featured", "pinyin", "department__name")
        .order_by(F("popularity__score").desc(nulls_last=True), "pinyin", "pk")
    )
    if center_code:
        rows = rows.filter(center__code=center_code)
    rows = list(rows[: limit * 4])
    ranked = bool(rows) and rows[0].popular_score is not None
    result, seen = [], set()
    for item in rows:
        if (item.popular_score is not None) != ranked or item.title in seen:
            continue
        seen.add(item.title)
        item.popular_searches = round(item.popular_searches or 0)
        result.append(item)
        if len(result) >= limit:
            break
    return ranked, result


def popular_panel(request, *, center_code=None, limit=8):
    """{title, note, items: [{title, url, department, views, searches}]} or None (say nothing)."""
    from django.utils.translation import gettext as gettext_now

    ranked, items = panel_items(center_code=center_code, limit=limit)
    if not items:
        return None
    if ranked:
        title = gettext_now("热门事项")
        note = gettext_now("近 %(days)s 天浏览和搜索最多") % {"days": WINDOW_DAYS}
    else:
        title, note = gettext_now("常办事项"), ""
    return {
        "title": title,
        "note": note,
        "ranked": bool(note),
        "items": [
            {
                "title": item.title,
                "url": item.get_url(request),
                "department": item.department.name,
                "views": item.popular_views,
                "searches": item.popular_searches,
            }
            for item in items
        ],
    }
