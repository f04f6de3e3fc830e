"""Home-page panels contributed by the guides app (registered in GuidesConfig.ready)."""

POPULAR_LIMIT = 8
EVENTS_LIMIT = 6


def popular_items(request):
    """热门事项: the items most viewed and searched in the last 30 days (guides/popularity.py);
    with no usage data yet, the items editors marked 常办事项; with neither, no panel. Three
    queries at most, no per-item queries."""
    from .models import GuideIndexPage
    from .popularity import popular_panel

    panel = popular_panel(request, limit=POPULAR_LIMIT)
    if panel is None:
        return None
    index = GuideIndexPage.objects.live().only("url_path", "path", "depth").first()
    return {**panel, "more_url": index.get_url(request) if index else "/guides/"}


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
