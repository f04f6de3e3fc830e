"""Hostile spreadsheet files, made once for the security tests and the upload benchmark.

Each maker returns the bytes of a small file built to exhaust a naive reader: a workbook whose
dimension claims the whole sheet, a workbook that inflates far beyond its size, a CSV with more
rows than any import allows.
"""

import io
import zipfile


def _rezip(workbook_bytes, rewrite=None, extra=None):
    """Copy an XLSX archive entry by entry, rewriting entries and adding new ones."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if rewrite and info.filename in rewrite:
                data = rewrite[info.filename](data)
            target.writestr(info, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def _catalog_workbook(fill=None):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["center", "item_code", "name"])
    if fill:
        fill(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _claim_whole_sheet(data):
    text = data.decode()
    start = text.index("<dimension")
    end = text.index("/>", start) + 2
    return (text[:start] + '<dimension ref="A1:XFD1048576"/>' + text[end:]).encode()


def gap_dimension_xlsx():
    """A ~5 KB workbook whose dimension claims A1:XFD1048576, with one cell at row 1,048,576."""

    def far_cell(sheet):
        sheet["A1048576"] = "city"

    return _rezip(_catalog_workbook(far_cell), rewrite={"xl/worksheets/sheet1.xml": _claim_whole_sheet})


def inflating_xlsx(megabytes=300):
    """A small workbook carrying an entry that inflates to `megabytes` MB."""
    return _rezip(_catalog_workbook(), extra={"xl/padding.bin": b"\0" * (megabytes * 1024 * 1024)})


def small_xlsx():
    """A valid one-row catalog workbook (for size-limit checks)."""
    return _catalog_workbook()


def many_rows_csv(rows=400_000):
    """A catalog CSV with `rows` data rows."""
    return ("center,item_code,name\n" + "city,R,x\n" * rows).encode()
