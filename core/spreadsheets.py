"""The one spreadsheet-safe writer for every CSV and XLSX the site produces.

Open data is opened in Excel, WPS and LibreOffice. A text cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return is read there as a formula (OWASP "CSV injection"): a fee item
named `=HYPERLINK("http://…","点此")` would become a live link in the journalist's sheet. So:

- CSV: `safe_cell(value)` puts an apostrophe before such a text (`'=HYPERLINK(…)`), which the
  spreadsheet shows as text; numbers, dates and None pass unchanged, and so does a text that is
  a plain signed number (`-0.18`, `+3`, `-4.5%`): a spreadsheet reads it as that number, which
  is what the reader wants, and no formula can hide in it. `safe_csv_writer(stream)`
  is `csv.writer(stream)` whose `writerow`/`writerows` apply it to every cell.
- XLSX: `append_row(sheet, values)` appends a row in which every text cell is written as a
  string cell (openpyxl would otherwise store `=…` as a formula); the text itself is kept as
  it is, because a string cell is never evaluated. Works for normal and write-only sheets;
  `font=` styles the row (e.g. a bold header).
- Reading back: `unescape_cell(text)` removes the apostrophe `safe_cell` added, so files the
  site exports import again unchanged (core/tabular/ applies it to CSV cells).

Every writer (fee schedule, bulletin data files, series, catalog, organisation and case
exports, the completeness report) goes through these three functions; tests/core/
test_spreadsheets.py downloads every file the site offers and scans its cells.
"""

import csv
import re

__all__ = ["FORMULA_PREFIXES", "append_row", "safe_cell", "safe_csv_writer", "unescape_cell"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def safe_cell(value):
    """A CSV cell value that no spreadsheet program evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unescape_cell(value):
    """The text safe_cell() was given (for reading the site's own CSV files back)."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

    @property
    def dialect(self):
        return self._writer.dialect


def safe_csv_writer(stream, **kwargs):
    """csv.writer(stream, **kwargs) that neutralises formula-like text cells."""
    return _SafeWriter(csv.writer(stream, **kwargs))


def append_row(sheet, values, font=None):
    """Append values to an openpyxl sheet with text cells stored as strings, never formulas."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        cells.append(cell)
    sheet.append(cells)
