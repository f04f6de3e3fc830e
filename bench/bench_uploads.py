"""Hostile uploads refused within a bounded time (issue 11: a 4.9 KB XLSX claiming
A1:XFD1048576 took a gunicorn worker to its 30 s timeout).

Reads each file with the catalog import's reader (core.tabular.read_table with the catalog's
row limit) and reports the wall time until the refusal: the gap-dimension workbook, a 400,000-row
CSV and a workbook whose sheet inflates to 300 MB (checked before parsing). Target: under 5 s
each, far below a worker's timeout; no database is needed.
"""

import io
import time
import zipfile

from common import row

TARGET_SECONDS = 5.0


def gap_dimension_xlsx():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["center", "item_code", "name"])
    sheet["A1048576"] = "city"
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index("<dimension")
                end = text.index("/>", start) + 2
                data = (text[:start] + '<dimension ref="A1:XFD1048576"/>' + text[end:]).encode()
            target.writestr(info, data)
    return out.getvalue()


def inflating_xlsx():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["center", "item_code", "name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/padding.bin", b"\0" * (300 * 1024 * 1024))
    return out.getvalue()


def run():
    import django

    django.setup()
    from django.conf import settings

    from core.tabular import TabularError, read_table
    from guides.catalog_format import ALIASES, REQUIRED_COLUMNS

    files = [
        ("gap-dimension XLSX (claims A1:XFD1048576)", "gap.xlsx", gap_dimension_xlsx()),
        ("400,000-row CSV", "big.csv", ("center,item_code,name\n" + "city,R,x\n" * 400_000).encode()),
        ("XLSX inflating to 300 MB", "bomb.xlsx", inflating_xlsx()),
    ]
    rows = []
    for label, name, data in files:
        started = time.monotonic()
        try:
            read_table(
                data,
                filename=name,
                aliases=ALIASES,
                required=REQUIRED_COLUMNS,
                max_rows=settings.CATALOG_IMPORT_MAX_ROWS,
            )
            refused = False
        except TabularError:
            refused = True
        seconds = time.monotonic() - started
        rows.append(row(f"{label} ({len(data) / 1024:.0f} KiB): refused", refused, "", "yes", refused))
        rows.append(
            row(
                f"{label}: time to refusal",
                seconds,
                "s",
                f"< {TARGET_SECONDS:.0f}",
                refused and seconds < TARGET_SECONDS,
            )
        )
    return rows
