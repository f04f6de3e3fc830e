"""`manage.py search_lexicon load|check [--file PATH] [--force]`: the default everyday-language lexicon.

`load` adds the lexicon's mappings the site does not have yet as one-way synonym groups (also
run after every `migrate` and by `init_site`); `--force` loads again even if this version of the
file was loaded before (re-adding mappings editors deleted). `check` validates a lexicon file.
"""

from django.core.management.base import BaseCommand, CommandError

from search import lexicon


class Command(BaseCommand):
    help = "Load (or check) the default everyday-language lexicon (search/data/lexicon.txt)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "check"])
        parser.add_argument("--file", default=str(lexicon.DEFAULT_PATH), help="lexicon file (default: the shipped one)")
        parser.add_argument("--force", action="store_true", help="load even if this version was loaded before")

    def handle(self, *args, **options):
        try:
            entries = lexicon.read(options["file"])
        except (OSError, lexicon.LexiconError) as exc:
            raise CommandError(f"词库文件有误：{exc}") from exc
        if options["action"] == "check":
            self.stdout.write(self.style.SUCCESS(f"词库文件正确：{len(entries)} 条日常用语"))
            return
        added, new = lexicon.load(options["file"], force=options["force"])
        if new:
            self.stdout.write(self.style.SUCCESS(f"默认词库已载入：新增 {added} 条（共 {len(entries)} 条）"))
        else:
            self.stdout.write("默认词库的这个版本已经载入过，未作改动（--force 可重新载入）")
