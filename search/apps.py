from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "全文检索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core.registries import register_bulk_write_wrapper, register_health_check, register_warmup

        from . import analysis, indexing, signals
        from .backends import health_check
        from .lexicon import load_after_migrate

        signals.connect()
        register_bulk_write_wrapper(indexing.deferred)
        register_health_check("search", health_check)
        register_warmup(analysis.warm)
        post_migrate.connect(load_after_migrate, sender=self, dispatch_uid="search.lexicon")

        # 热门事项: flush the buffered item views and rebuild the ranking (search/popular.py).
        from core import schedules

        from . import popular

        schedules.register(popular.SCHEDULE, popular.FUNC, schedule_type="I", minutes=popular.POPULAR_MINUTES)
