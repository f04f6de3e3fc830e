"""`manage.py export_catalog [--format csv|xlsx|json] [--center CODE] [-o FILE]`."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guides.exports import FORMATS, export_catalog
from portal import codes
from portal.models import ServiceCenter


class Command(BaseCommand):
    help = "Export the catalog in the import format (CSV, XLSX or JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, help="Default: from the -o file name, else csv.")
        parser.add_argument("--center", help="Only this center's items (its code).")
        parser.add_argument("-o", "--output", help="Output file (default: standard output).")

    def handle(self, *args, **options):
        fmt = options["format"]
        output = options["output"]
        if fmt is None:
            suffix = Path(output).suffix.lower().lstrip(".") if output else ""
            fmt = suffix if suffix in FORMATS else "csv"
        center = None
        if options["center"]:
            center = ServiceCenter.objects.filter(code=codes.org_code(options["center"])).first()
            if center is None:
                raise CommandError(f"中心 {options['center']} 不存在")
        if output:
            with open(output, "wb") as handle:
                export_catalog(fmt, center=center, output=handle)
            self.stderr.write(f"已导出到 {output}")
        else:
            if fmt == "xlsx" and sys.stdout.isatty():
                raise CommandError("XLSX 是二进制格式，请用 -o 指定输出文件")
            data = export_catalog(fmt, center=center)
            stream = getattr(self.stdout, "_out", sys.stdout)
            stream.flush()
            getattr(stream, "buffer", stream).write(data if hasattr(stream, "buffer") else data.decode("utf-8"))
