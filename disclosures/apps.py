from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = "公开数据"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import panels, schedules
        from core.registries import register_searchable
        from portal import media, pagecache

        from . import bulletin_views, bulletins, tasks, workdays  # noqa: F401 (bulletin_views: page views)
        from .models import BulletinSettings, Holiday

        workdays.connect_signals()
        pagecache.watch(BulletinSettings, Holiday)  # bulletin pages and working-day deadlines

        # Builds last month's bulletins once the configured day and hour have come (see tasks.py).
        schedules.register(tasks.CHECK_SCHEDULE, tasks.CHECK_FUNC, schedule_type="I", minutes=tasks.CHECK_MINUTES)
        # A bulletin's PDF is public only while it is the PDF of a live bulletin.
        media.register_private_document_check(bulletins.document_is_unpublished_pdf)
        panels.register_home_panel(30, "disclosures/bulletin_home_panel.html", bulletins.home_panel)
        register_searchable("bulletin", bulletins.searchable_bulletins)
