"""manage.py build_bulletin --period YYYY-MM [--center CODE] [--publish]."""

from django.core.management.base import BaseCommand, CommandError

from disclosures import bulletins


class Command(BaseCommand):
    help = "生成（或重新生成）某月的运行情况通报：页面、PDF 和数据；再次运行会为同一页面生成新修订版本。"
    # No system checks: they load the whole URLconf and admin (~60 MB) before the PDF render,
    # which then sets the process's peak memory (the scheduled task runs without them too).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="统计月份，格式 YYYY-MM，例如 2026-10")
        parser.add_argument("--center", help="中心编码；“all”表示全市；不填则生成所有中心和全市的通报")
        publish = parser.add_mutually_exclusive_group()
        publish.add_argument("--publish", action="store_true", help="生成后直接发布")
        publish.add_argument("--draft", action="store_true", help="只生成草稿修订版本（不发布）")

    def handle(self, *args, **options):
        publish = True if options["publish"] else (False if options["draft"] else None)
        try:
            period = bulletins.parse_period(options["period"])
            codes = [options["center"]] if options["center"] else bulletins.targets()
            for code in codes:
                bulletins.resolve_center(code)  # every code checked before anything is written
        except bulletins.BulletinError as exc:
            raise CommandError(str(exc))
        for code in codes:
            try:
                page, revision = bulletins.build_bulletin(period, code, publish=publish)
            except bulletins.BulletinError as exc:
                raise CommandError(str(exc))
            state = "已发布" if page.live and page.live_revision_id == revision.pk else "草稿"
            self.stdout.write(f"{page.title}：修订 {revision.pk}（{state}）{page.url or ''}")
