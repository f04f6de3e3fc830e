from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "门户"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import schedules

        post_migrate.connect(schedules.ensure_schedules_after_migrate, sender=self)
