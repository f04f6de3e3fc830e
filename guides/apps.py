from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = "办事指南"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import schedules
        from core.panels import register_home_panel
        from portal.pagecache import register_serve_hook

        from . import item_page, ownership, pagecache, panels, stored_presentation, viewcounts, views  # noqa: F401 (ownership: move signal; views: page views)

        register_serve_hook(viewcounts.SERVE_EVENT, viewcounts.count_view)
        register_home_panel(10, "guides/panels/popular_items.html", panels.popular_items)
        register_home_panel(20, "guides/panels/life_events.html", panels.life_events)
        pagecache.connect_signals()
        stored_presentation.connect_signals()
        item_page.connect_signals()
        schedules.register(
            stored_presentation.SCHEDULE,
            stored_presentation.FUNC,
            schedule_type="I",
            minutes=stored_presentation.SCHEDULE_MINUTES,
        )
