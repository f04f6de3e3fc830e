from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = "办事指南"
    default_auto_field = "django.db.models.BigAutoField"
