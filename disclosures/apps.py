from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = "公开数据"
    default_auto_field = "django.db.models.BigAutoField"
