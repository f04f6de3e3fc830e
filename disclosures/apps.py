from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = "公开数据"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import panels, schedules

        from . import bulletins, tasks

        # Builds last month's bulletins once the configured day and hour have come (see tasks.py).
        schedules.register(tasks.CHECK_SCHEDULE, tasks.CHECK_FUNC, schedule_type="I", minutes=tasks.CHECK_MINUTES)
        panels.register_home_panel(30, "disclosures/bulletin_home_panel.html", bulletins.home_panel)
