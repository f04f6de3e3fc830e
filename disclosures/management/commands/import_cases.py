"""`manage.py import_cases FILE [--dry-run]`: case records from CSV/XLSX (see disclosures/imports.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosures.imports import import_cases

# Files given on the command line may be larger than web uploads.
COMMAND_MAX_BYTES = 200 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import case records (columns case_no, center, item_code, channel, received_at, completed_at, status, "
        "satisfaction, complaint); all-or-nothing, idempotent by case_no."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8 or GBK) or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        result = import_cases(path, filename=path.name, dry_run=options["dry_run"], max_bytes=COMMAND_MAX_BYTES)
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"导入失败：共 {len(result.problems)} 个问题，未写入任何数据")
        self.stdout.write(self.style.SUCCESS(result.summary()))
