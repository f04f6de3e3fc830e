from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = "公开数据"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import media, pagecache, panels, schedules

        from . import bulletins, tasks
        from .models import BulletinSettings, Holiday

        pagecache.watch(BulletinSettings, Holiday)  # bulletin pages and working-day deadlines

        # Builds last month's bulletins once the configured day and hour have come (see tasks.py).
        schedules.register(tasks.CHECK_SCHEDULE, tasks.CHECK_FUNC, schedule_type="I", minutes=tasks.CHECK_MINUTES)
        # A bulletin's PDF is public only while it is the PDF of a live bulletin.
        media.register_private_document_check(bulletins.document_is_unpublished_pdf)
        panels.register_home_panel(30, "disclosures/bulletin_home_panel.html", bulletins.home_panel)
