"""Editors' tables (CSV, XLSX, JSON): one reader with per-cell problems, and the cell parsers.

`reader` opens and reads a file (sizes, encodings, headers, rows), `limits` bounds the work a
file may cause, `cells` parses values (`(value, error)` pairs), `problems` holds what is reported.
Importers use the names re-exported here: `from core.tabular import read_table, parse_int, …`.
"""

from .cells import (
    FALSE_WORDS,
    TRUE_WORDS,
    as_text,
    is_blank,
    parse_bool,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    printable,
    text_problem,
)
from .problems import Problem, Problems, Table, TabularError
from .reader import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    SCAN_CHUNK,
    decode_text,
    detect_format,
    max_upload_bytes,
    normalize_header,
    open_table,
    read_bytes,
    read_table,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FALSE_WORDS",
    "FORMATS",
    "SCAN_CHUNK",
    "TRUE_WORDS",
    "Problem",
    "Problems",
    "Table",
    "TabularError",
    "as_text",
    "decode_text",
    "detect_format",
    "is_blank",
    "max_upload_bytes",
    "normalize_header",
    "open_table",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "printable",
    "read_bytes",
    "read_table",
    "text_problem",
]
