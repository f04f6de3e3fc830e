"""Bounds on the work one uploaded or imported file may cause (used by core/tabular/reader.py).

A 4.9 KB XLSX whose `<dimension>` claims `A1:XFD1048576` used to keep a web worker busy until
the gunicorn timeout: openpyxl padded every row to the claimed width and height. Now:

- before parsing: the file's size (MAX_UPLOAD_BYTES, checked by tabular), and for an XLSX the
  uncompressed size of its parts (`IMPORT_MAX_XLSX_BYTES`, default 200 MB: a zip bomb is
  refused without inflating it);
- while reading: the claimed dimension is ignored (openpyxl's `reset_dimensions()`), and rows
  and columns are counted from the real data: a non-empty cell beyond `IMPORT_MAX_COLUMNS`
  (default 200) or a non-empty row beyond `IMPORT_MAX_ROWS` (default 200,000; the catalog
  import uses `CATALOG_IMPORT_MAX_ROWS`, default 20,000) stops the reading at once;
- a time budget (`IMPORT_MAX_SECONDS`, default 120) for reading the rows.

Each bound gives a clear Chinese message naming the limit, and nothing is written.
"""

import time
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from .problems import Problem, TabularError

__all__ = ["RowBudget", "check_xlsx_archive", "max_columns", "max_rows"]


def max_rows():
    return int(getattr(settings, "IMPORT_MAX_ROWS", 200_000))


def max_columns():
    return int(getattr(settings, "IMPORT_MAX_COLUMNS", 200))


def _max_xlsx_bytes():
    return int(getattr(settings, "IMPORT_MAX_XLSX_BYTES", 200 * 1024 * 1024))


def _max_seconds():
    return float(getattr(settings, "IMPORT_MAX_SECONDS", 120))


def check_xlsx_archive(handle):
    """Refuse a workbook whose parts inflate beyond the limit, before openpyxl opens it."""
    position = handle.tell()
    try:
        with zipfile.ZipFile(handle) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip: openpyxl reports the damaged workbook in Chinese
    finally:
        handle.seek(position)
    limit = _max_xlsx_bytes()
    if total > limit:
        raise TabularError(
            Problem(
                0,
                "",
                _("工作簿解压后过大（%(size).0f MB），上限为 %(limit).0f MB：请删除多余的工作表、格式或空行后再上传")
                % {"size": total / 1024 / 1024, "limit": limit / 1024 / 1024},
            )
        )


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


class RowBudget:
    """Counts the real rows and columns of a file as it is read; raises TabularError when a
    bound is passed (see the module docstring)."""

    def __init__(self, first_row, rows=None, columns=None, seconds=None):
        self.first_row = first_row
        self.rows = rows or max_rows()
        self.columns = columns or max_columns()
        self.deadline = time.monotonic() + (seconds or _max_seconds())
        self.count = 0

    def check(self, number, record):
        """`record` is row `number` of the file (a list of values)."""
        if len(record) > self.columns and any(not _blank(value) for value in record[self.columns :]):
            raise TabularError(
                Problem(
                    number,
                    "",
                    _("列数超过上限 %(max)s 列：第 %(row)s 行在第 %(max)s 列之后仍有内容")
                    % {"max": self.columns, "row": number},
                )
            )
        if number - self.first_row + 1 > self.rows and any(not _blank(value) for value in record):
            raise TabularError(
                Problem(
                    number,
                    "",
                    _("行数超过上限：每个文件最多 %(max)s 行数据，第 %(row)s 行仍有内容；请拆分成多个文件")
                    % {"max": self.rows, "row": number},
                )
            )
        self.count += 1
        if self.count % 2000 == 0 and time.monotonic() > self.deadline:
            raise TabularError(
                Problem(
                    number, "", _("文件处理超时：读到第 %(row)s 行时已超过时限，请拆分成多个文件") % {"row": number}
                )
            )
