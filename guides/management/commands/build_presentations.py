"""`manage.py build_presentations [--limit N]`: render and store the item pages whose stored
presentation is missing or stale (what the `item-presentations` schedule does every few minutes)."""

from django.core.management.base import BaseCommand, CommandError

from guides import stored_presentation


class Command(BaseCommand):
    help = "Render and store the item pages whose stored presentation is missing or stale."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100000, help="At most this many items (default: all).")

    def handle(self, *args, **options):
        if options["limit"] < 1:
            raise CommandError("--limit 必须是正整数。")
        written = stored_presentation.refresh_stale(limit=options["limit"])
        self.stdout.write(f"已生成 {written} 个事项页面呈现（每个事项每种语言一个）。")
