"""`manage.py publish_scheduled`: Wagtail's command, each change in its own transaction.

Replaces Wagtail's command of the same name (portal comes first in INSTALLED_APPS) so that
running it by hand does exactly what the cluster does every minute (portal.schedules).
"""

from django.core.management.base import CommandError
from wagtail.management.commands.publish_scheduled import Command as WagtailCommand

from portal.schedules import ScheduledWorkFailed, publish_scheduled


class Command(WagtailCommand):
    help = "定时发布与到期下线：每个页面在一个事务中完成，失败的保持原计划，下次运行时再试。"

    def handle(self, *args, **options):
        if options.get("dryrun"):
            return super().handle(*args, **options)
        try:
            publish_scheduled()
        except ScheduledWorkFailed as exc:
            raise CommandError(f"部分定时发布/下线未完成，已保持原计划，下次运行时重试：{exc}")
        self.stdout.write("定时发布与到期下线已处理。")
