from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "门户"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import task_approved

        from core import panels, schedules
        from core.registries import register_searchable

        from . import editorial, notices, pagecache, workflow_status
        from . import schedules as portal_schedules  # noqa: F401 (registers the portal's jobs)

        pagecache.connect_signals()
        task_approved.connect(
            workflow_status.forget_approvals_after_restart, dispatch_uid="portal.workflow.forget_after_restart"
        )
        post_migrate.connect(schedules.ensure_schedules_after_migrate, sender=self)

        # Editorial: the home page's latest-notices panel and the weekly review digest.
        panels.register_home_panel(10, "portal/notices_panel.html", notices.home_panel)
        register_searchable("notice", notices.searchable_notices)
        schedules.register(
            "editorial-review-digest",
            "portal.editorial.send_review_digests",
            schedule_type="W",
            next_run=editorial.next_weekly_run(),
        )
