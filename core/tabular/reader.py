"""Read editors' spreadsheets (CSV, XLSX, JSON) into rows, with precise per-cell errors.

Every importer (organisation, catalog, cases) shares this reader so that editors get the same
behaviour everywhere: UTF-8 (with or without BOM) or GBK/GB18030 CSV, the first sheet of an
XLSX workbook, or a JSON array of objects; Chinese or English headers; a size limit checked
before parsing; and every problem reported as (row, column, reason) with the reason in Chinese.

Row numbers are the ones the editor sees: in CSV and XLSX the header is row 1 and the first
data row is row 2; in JSON the first object is row 1. Problems about the file as a whole use
row 0; problems about the header use row 1 (CSV/XLSX) or 0 (JSON).

Cell parsers live in core/tabular/cells.py, the problem types in core/tabular/problems.py.
"""

import codecs
import csv
import io
import json
import os

from django.conf import settings
from django.utils.translation import gettext as _

from core.spreadsheets import unescape_cell

from .cells import is_blank
from .limits import RowBudget, check_xlsx_archive
from .problems import Problem, Problems, Table, TabularError

FORMATS = ("csv", "xlsx", "json")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def max_upload_bytes():
    return int(getattr(settings, "MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES)


def detect_format(filename):
    ext = os.path.splitext(filename or "")[1].lower().lstrip(".")
    if ext in FORMATS:
        return ext
    raise TabularError(
        Problem(0, "", _("不支持的文件类型“%(ext)s”：请使用 CSV、XLSX 或 JSON 文件") % {"ext": ext or filename})
    )


def _size_of(source):
    if isinstance(source, bytes | bytearray):
        return len(source)
    if isinstance(source, str | os.PathLike):
        return os.stat(source).st_size
    size = getattr(source, "size", None)
    if size is not None:
        return size
    position = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def _too_big(size, limit):
    return Problem(
        0,
        "",
        _("文件过大（%(size).1f MB），上限为 %(limit).1f MB")
        % {"size": size / 1024 / 1024, "limit": limit / 1024 / 1024},
    )


def read_bytes(source, *, max_bytes=None):
    """The file's content, refusing an oversized file before reading it."""
    limit = max_bytes or max_upload_bytes()
    size = _size_of(source)
    if size > limit:
        raise TabularError(_too_big(size, limit))
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            data = handle.read(limit + 1)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    if len(data) > limit:  # the reported size lied
        raise TabularError(_too_big(len(data), limit))
    return data


def decode_text(data):
    """UTF-8 (BOM optional) or GB18030 (a superset of GBK); anything else is refused."""
    encoding_error = Problem(0, "", _("无法识别文件编码：请将文件另存为 UTF-8 或 GBK 编码的 CSV"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise TabularError(encoding_error)  # UTF-16/32 or a binary file
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise TabularError(encoding_error)


def normalize_header(text):
    """Header as typed by editors: trimmed, full-width brackets folded, a required-marker '*' dropped."""
    text = str(text if text is not None else "").replace("\ufeff", "").strip()
    text = text.rstrip("*＊").strip()
    return text


def _alias_map(aliases):
    """{any spelling (case-insensitive): canonical}; canonical names map to themselves."""
    result = {}
    for canonical, spellings in (aliases or {}).items():
        result[canonical.lower()] = canonical
        for spelling in spellings:
            result[normalize_header(spelling).lower()] = canonical
    return result


def read_table(source, *, filename, aliases, required=(), max_bytes=None, allow_unknown=False, max_rows=None):
    """Read a CSV/XLSX/JSON file into a Table; raise TabularError listing every problem found.

    `aliases` maps each canonical column name to its accepted spellings (e.g. Chinese headers);
    a header matching none of them is an error unless `allow_unknown`. `required` lists
    canonical columns that must be present. All rows are held in memory: for large files use
    `open_table()`, which reads them one at a time.
    """
    table = open_table(
        source,
        filename=filename,
        aliases=aliases,
        required=required,
        max_bytes=max_bytes,
        allow_unknown=allow_unknown,
        max_rows=max_rows,
    )
    table.rows = list(table.rows)
    return table


def open_table(source, *, filename, aliases, required=(), max_bytes=None, allow_unknown=False, max_rows=None):
    """Like read_table, but CSV and XLSX rows are streamed: `table.rows` is an iterator.

    Problems with the file as a whole (type, size, encoding, empty, damaged workbook) are raised
    here. Problems found while reading rows (a value under no header, the header's own
    problems, no data rows) are collected, and TabularError listing all of them is raised when
    the iteration ends; once there is one, no further rows are yielded. Memory stays flat
    whatever the file's size: a CSV is decoded chunk by chunk (the encoding, UTF-8 or GB18030,
    is settled by a first pass over the bytes), an XLSX is read with openpyxl's read-only mode.
    JSON files are parsed whole (their rows are a list). Rows, columns and reading time are
    bounded by core/tabular/limits.py (`max_rows` overrides IMPORT_MAX_ROWS).
    """
    fmt = detect_format(filename)
    limit = max_bytes or max_upload_bytes()
    size = _size_of(source)
    if size > limit:
        raise TabularError(_too_big(size, limit))
    if fmt == "json":
        data = read_bytes(source, max_bytes=max_bytes)
        if not data.strip():
            raise TabularError(Problem(0, "", _("文件是空的")))
        return _json_table(data, aliases=aliases, required=required, allow_unknown=allow_unknown, max_rows=max_rows)
    handle, owned = _open_binary(source)
    try:
        encoding = _scan(handle, limit, csv=fmt == "csv")
        handle.seek(0)
        if fmt == "csv":
            records, closer = _csv_records(handle, encoding)
        else:
            check_xlsx_archive(handle)
            records, closer = _xlsx_records(handle)
        header = next(records, None)
        if header is None:
            closer()
            raise TabularError(Problem(0, "", _("文件是空的")))
    except BaseException:
        if owned:
            handle.close()
        raise

    def close():
        closer()
        if owned:
            handle.close()

    budget = RowBudget(2, rows=max_rows)
    try:
        budget.check(1, header)
    except TabularError:
        close()
        raise
    return _grid_table(
        fmt, header, records, 2, close, aliases=aliases, required=required, allow_unknown=allow_unknown, budget=budget
    )


SCAN_CHUNK = 1024 * 1024


class _Reader(io.RawIOBase):
    """A raw binary stream over any object with read()/seek() (Django's uploaded files too)."""

    def __init__(self, source):
        self._source = source

    def readable(self):
        return True

    def seekable(self):
        return True

    def readinto(self, buffer):
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset, whence=os.SEEK_SET):
        return self._source.seek(offset, whence)

    def tell(self):
        return self._source.tell()


def _open_binary(source):
    """(binary file object positioned at 0, whether we opened it and must close it)."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(bytes(source)), True
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True
    if hasattr(source, "seek"):
        source.seek(0)
    return source, False


def _scan(handle, limit, *, csv):
    """One pass over the bytes: size (an upload's reported size may lie), blank, and for a CSV
    its encoding ("utf-8-sig", else "gb18030"; anything else is refused). Memory: one chunk."""
    encoding_error = Problem(0, "", _("无法识别文件编码：请将文件另存为 UTF-8 或 GBK 编码的 CSV"))
    decoder = codecs.getincrementaldecoder("utf-8-sig")() if csv else None
    size, blank, first = 0, True, True
    while True:
        chunk = handle.read(SCAN_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:  # the reported size lied
            raise TabularError(_too_big(size, limit))
        if blank and chunk.strip():
            blank = False
        if csv and first:
            first = False
            if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:4096]:
                raise TabularError(encoding_error)  # UTF-16/32 or a binary file
        if decoder is not None:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                decoder = None
    if blank:
        raise TabularError(Problem(0, "", _("文件是空的")))
    if not csv:
        return None
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        while chunk := handle.read(SCAN_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise TabularError(encoding_error)
    return "gb18030"


def _csv_records(handle, encoding):
    """(iterator of rows as lists of strings, close function); csv errors become TabularError."""
    text = io.TextIOWrapper(io.BufferedReader(_Reader(handle), SCAN_CHUNK), encoding=encoding, newline="")

    def records():
        reader = csv.reader(text)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TabularError(Problem(0, "", _("CSV 格式错误：%(error)s") % {"error": exc}))
            yield row

    def close():
        text.detach()  # leave the caller's file open; ours is closed by open_table's closer

    return records(), close


def _xlsx_records(handle):
    """(iterator of rows from the first sheet, close function), read-only: rows are parsed as read."""
    from openpyxl import load_workbook

    damaged = Problem(0, "", _("无法读取 XLSX 文件：文件已损坏或不是 Excel 工作簿"))
    source = handle if isinstance(handle, io.IOBase) else io.BufferedReader(_Reader(handle))
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the claimed size may lie: read the rows that exist
    except Exception:  # noqa: BLE001 — openpyxl raises many kinds for a damaged workbook
        raise TabularError(damaged)

    def records():
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # noqa: BLE001 — a damaged sheet part
                raise TabularError(damaged)
            yield list(row)

    return records(), workbook.close


def _resolve_headers(header, aliases, required, allow_unknown, header_row):
    """Map file headers to canonical names; returns ({position: canonical}, labels, problems)."""
    known = _alias_map(aliases)
    problems = Problems()
    positions, labels = {}, {}
    for position, raw in enumerate(header):
        text = normalize_header(raw)
        if not text:
            continue
        canonical = known.get(text.lower())
        if canonical is None:
            if not allow_unknown:
                problems.add(header_row, text, _("未知的列"))
            continue
        if canonical in labels:
            problems.add(
                header_row,
                text,
                _("列重复：与“%(other)s”列是同一字段") % {"other": labels[canonical]},
            )
            continue
        positions[position] = canonical
        labels[canonical] = text
    for canonical in required:
        if canonical not in labels:
            problems.add(header_row, _label_for(canonical, aliases), _("缺少必需的列"))
    return positions, labels, problems


def _label_for(canonical, aliases):
    spellings = (aliases or {}).get(canonical) or []
    chinese = [s for s in spellings if any("\u4e00" <= ch <= "\u9fff" for ch in s)]
    return f"{chinese[0]}（{canonical}）" if chinese else canonical


def _grid_table(fmt, header, records, first_row, close, *, aliases, required, allow_unknown, budget=None):
    """A Table whose rows are read from `records` as they are iterated (see open_table)."""
    positions, labels, problems = _resolve_headers(header, aliases, required, allow_unknown, first_row - 1)
    table = Table(format=fmt, columns=list(labels), labels=labels, header_row=first_row - 1)
    table.rows = _grid_rows(header, records, first_row, positions, problems, close, budget)
    return table


def _grid_rows(header, records, first_row, positions, problems, close, budget=None):
    yielded = 0
    unnamed_label = {}
    try:
        try:
            for offset, record in enumerate(records):
                if not record:
                    continue  # a gap in a sparse sheet: nothing to read or count
                number = first_row + offset
                if budget is not None:
                    budget.check(number, record)
                if all(is_blank(value) for value in record):
                    continue
                values = {}
                for position, value in enumerate(record):
                    canonical = positions.get(position)
                    if canonical is None:
                        if position not in unnamed_label:
                            unnamed_label[position] = position >= len(header) or not normalize_header(header[position])
                        if unnamed_label[position] and not is_blank(value):
                            problems.add(number, _("第 %(n)s 列") % {"n": position + 1}, _("该列没有表头，无法识别"))
                        continue
                    if isinstance(value, str):
                        value = unescape_cell(value.strip())
                    values[canonical] = value
                if problems:
                    continue  # keep looking for the reader's problems; the rows are no longer used
                yielded += 1
                yield number, values
        except TabularError as exc:
            problems.extend(exc.problems)
        if problems:
            raise TabularError(problems)
        if not yielded:
            raise TabularError(Problem(0, "", _("文件中没有数据行")))
    finally:
        close()


def _json_table(data, *, aliases, required, allow_unknown, max_rows=None):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TabularError(Problem(0, "", _("JSON 文件必须使用 UTF-8 编码")))
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TabularError(
            Problem(0, "", _("JSON 格式错误（第 %(line)s 行第 %(col)s 列）") % {"line": exc.lineno, "col": exc.colno})
        )
    except (ValueError, RecursionError):  # an integer too long to convert, or arrays nested too deep
        raise TabularError(Problem(0, "", _("JSON 格式错误：数字过长或嵌套层数过多")))
    records = document.get("items") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise TabularError(Problem(0, "", _("JSON 文件应为对象数组，或包含 items 数组的对象")))
    budget = RowBudget(1, rows=max_rows)
    if len(records) > budget.rows:
        budget.check(len(records), [True])  # raises: too many rows
    known = _alias_map(aliases)
    problems = Problems()
    table = Table(format="json", columns=[], labels={}, header_row=0)
    if isinstance(document, dict):
        table.document = {key: value for key, value in document.items() if key != "items"}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            problems.add(number, "", _("每一条记录应为 JSON 对象"))
            continue
        values = {}
        seen = {}
        for key, value in record.items():
            text = normalize_header(key)
            canonical = known.get(text.lower())
            if canonical is None:
                if not allow_unknown:
                    problems.add(number, text, _("未知的字段"))
                continue
            if canonical in seen:
                problems.add(number, text, _("字段重复：与“%(other)s”是同一字段") % {"other": seen[canonical]})
                continue
            seen[canonical] = text
            if canonical not in table.labels:
                table.labels[canonical] = text
                table.columns.append(canonical)
            values[canonical] = value.strip() if isinstance(value, str) else value
        for canonical in required:
            if canonical not in values:
                problems.add(number, _label_for(canonical, aliases), _("缺少必需的字段"))
        table.rows.append((number, values))
    if problems:
        raise TabularError(problems)
    if not table.rows:
        raise TabularError(Problem(0, "", _("文件中没有数据行")))
    return table


# --- value parsers: each returns (value, error text or None); blank input gives (None, None) ---
