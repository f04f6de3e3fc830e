"""`manage.py export_cases FILE [--center CODE] [--from YYYY-MM] [--to YYYY-MM] [--format csv|xlsx]`.

Writes case records in the format `import_cases` reads (see disclosures/exports.py), so
`import_cases FILE` restores them unchanged. FILE "-" writes CSV to standard output.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosures.exports import FORMATS, case_rows, cases_queryset, orphan_count, write_csv, write_xlsx
from disclosures.statistics import StatisticsError, parse_period
from portal.models import ServiceCenter


class Command(BaseCommand):
    help = (
        "Export case records in the import_cases format (CSV or XLSX), streaming; "
        "--from/--to select by the month of receipt (Asia/Shanghai)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help='Output file (.csv or .xlsx), or "-" for CSV on standard output.')
        parser.add_argument("--center", help="Only this center's cases (its code).")
        parser.add_argument("--from", dest="first", metavar="YYYY-MM", help="First month of receipt (inclusive).")
        parser.add_argument("--to", dest="last", metavar="YYYY-MM", help="Last month of receipt (inclusive).")
        parser.add_argument("--format", choices=FORMATS, help="Default: from the file name, else csv.")

    def handle(self, *args, **options):
        output = options["file"]
        fmt = options["format"]
        if fmt is None:
            suffix = Path(output).suffix.lower().lstrip(".")
            fmt = suffix if suffix in FORMATS else "csv"
        if output == "-" and fmt != "csv":
            raise CommandError("XLSX 是二进制格式，请指定输出文件")
        center = None
        if options["center"]:
            center = ServiceCenter.objects.filter(code=options["center"].strip().lower()).first()
            if center is None:
                raise CommandError(f"中心 {options['center']} 不存在")
        try:
            first = parse_period(options["first"]) if options["first"] else None
            last = parse_period(options["last"]) if options["last"] else None
        except StatisticsError as exc:
            raise CommandError(str(exc)) from exc
        if first and last and first > last:
            raise CommandError("--from 不能晚于 --to")

        queryset = cases_queryset(center, first, last)
        rows = case_rows(queryset)
        if output == "-":
            stream = getattr(self.stdout, "_out", sys.stdout)
            stream.flush()
            count = write_csv(rows, stream.buffer)
        elif fmt == "xlsx":
            count = write_xlsx(rows, output)
        else:
            with open(output, "wb") as handle:
                count = write_csv(rows, handle)
        orphans = orphan_count(queryset)
        if orphans:
            self.stderr.write(
                self.style.WARNING(
                    f"注意：其中 {orphans} 条办件的事项已被删除，import_cases 会拒绝这些行（未知的事项编码）"
                )
            )
        where = "标准输出" if output == "-" else output
        self.stderr.write(f"已导出 {count} 条办件到 {where}")
