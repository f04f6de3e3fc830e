"""Home-page panels contributed by the guides app (registered in GuidesConfig.ready)."""

from django.utils.translation import gettext as _

POPULAR_LIMIT = 8
EVENTS_LIMIT = 6


def popular_items(request):
    """常办事项: the items editors marked as featured (promote tab); until they mark any, the
    most recently published items, so the panel is never empty on a fresh site. Two queries at
    most, no per-item queries."""
    from .models import GuideIndexPage, GuidePage

    base = (
        GuidePage.objects.live()
        .select_related("department")
        .only("title", "url_path", "path", "depth", "department__name", "last_published_at")
    )
    items = list(base.filter(featured=True).order_by("pinyin")[:POPULAR_LIMIT])
    title = _("常办事项")
    if not items:
        items = list(base.order_by("-last_published_at", "-pk")[:POPULAR_LIMIT])
        title = _("最近更新的办事指南")
    if not items:
        return None
    index = GuideIndexPage.objects.live().only("url_path", "path", "depth").first()
    return {
        "title": title,
        "items": [
            {"title": item.title, "url": item.get_url(request), "department": item.department.name} for item in items
        ],
        "more_url": index.get_url(request) if index else "/guides/",
    }


def life_events(request):
    from .models import LifeEventIndexPage, LifeEventPage

    events = list(
        LifeEventPage.objects.live().only("title", "url_path", "path", "depth").order_by("title")[:EVENTS_LIMIT]
    )
    if not events:
        return None
    index = LifeEventIndexPage.objects.live().only("url_path", "path", "depth").first()
    return {
        "events": [{"title": event.title, "url": event.get_url(request)} for event in events],
        "more_url": index.get_url(request) if index else None,
    }
