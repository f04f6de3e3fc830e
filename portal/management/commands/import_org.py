"""`manage.py import_org FILE`: centers and departments from CSV/XLSX/JSON (see portal/imports.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.imports import import_org


class Command(BaseCommand):
    help = "Import service centers and departments (columns kind, code, name, parent, level); idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV, XLSX or JSON file")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        result = import_org(path, filename=path.name, dry_run=options["dry_run"])
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"导入失败：共 {len(result.problems)} 个问题，未写入任何数据")
        prefix = "（试运行，未写入）" if result.dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(f"{prefix}新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")
        )
