"""`manage.py export_org [--format csv|xlsx|json] [-o FILE]`: the import_org format, for backups."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.exports import FORMATS, export_org


class Command(BaseCommand):
    help = "Export service centers and departments in the import_org format (CSV, XLSX or JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, help="Default: from the -o file name, else csv.")
        parser.add_argument("-o", "--output", help="Output file (default: standard output).")

    def handle(self, *args, **options):
        output = options["output"]
        fmt = options["format"]
        if fmt is None:
            suffix = Path(output).suffix.lower().lstrip(".") if output else ""
            fmt = suffix if suffix in FORMATS else "csv"
        if fmt == "xlsx" and not output:
            raise CommandError("XLSX 是二进制格式，请用 -o 指定输出文件")
        data = export_org(fmt)
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"已导出到 {output}")
        else:
            stream = getattr(self.stdout, "_out", sys.stdout)
            stream.flush()
            if hasattr(stream, "buffer"):
                stream.buffer.write(data)
            else:
                stream.write(data.decode("utf-8-sig"))
