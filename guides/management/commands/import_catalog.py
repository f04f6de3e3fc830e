"""`manage.py import_catalog FILE [--dry-run] [--draft] [--user NAME]` (format: docs/catalog-format.md).

Without --user the import runs as the site operator; with it, under that editor's page
permissions and workflow (guides/import_review.py): what the editor may not publish is saved as
a draft and submitted for review."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guides.imports import import_catalog


class Command(BaseCommand):
    help = "Import service items from CSV, XLSX or JSON; all or nothing; problems listed by row and column."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV, XLSX or JSON file")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; write nothing.")
        parser.add_argument("--draft", action="store_true", help="Save changes as drafts instead of publishing.")
        parser.add_argument(
            "--user", help="Import as this editor: their permissions apply, and what they cannot publish is submitted."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user = None
        if options.get("user"):
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"用户不存在或已停用：{options['user']}")
        result = import_catalog(path, filename=path.name, user=user, dry_run=options["dry_run"], draft=options["draft"])
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"导入失败：共 {len(result.problems)} 个问题，未写入任何数据")
        self.stdout.write(self.style.SUCCESS(result.summary()))
