"""Write case records (办件) in the format `import_cases` reads, streaming.

One row per case with the import columns (English headers, codes rather than labels):
case_no, center, item_code, channel, received_at, completed_at, status, satisfaction,
complaint, phone_last4 (the last four digits of the applicant's phone, all the database keeps:
the key of the public progress lookup and the rating link). Times are ISO 8601 in the site's time zone with their offset and microseconds, so
importing the file gives the same instants back. The derived columns (department, promised
days, due date, on-time and same-day flags) are not written: `import_cases` derives them again
from the item and the holiday calendar, exactly as when the case first came in.

Rows are read with `.iterator(chunk_size=…)` (a server-side cursor on PostgreSQL) and written
one by one, so memory stays flat whatever the number of cases.
"""

import io

from django.utils import timezone

from core.spreadsheets import append_row, safe_csv_writer

from .models import Case
from .statistics import add_months, month_bounds, parse_period

COLUMNS = [
    "case_no",
    "center",
    "item_code",
    "channel",
    "received_at",
    "completed_at",
    "status",
    "satisfaction",
    "complaint",
    "phone_last4",
]
FORMATS = ("csv", "xlsx")
CHUNK_SIZE = 2000


def cases_queryset(center=None, first=None, last=None):
    """Cases of a center (or every center) received in the months first..last (inclusive, dates)."""
    queryset = Case.objects.all()
    if center is not None:
        queryset = queryset.filter(center=center)
    if first is not None:
        queryset = queryset.filter(received_at__gte=month_bounds(parse_period(first))[0])
    if last is not None:
        queryset = queryset.filter(received_at__lt=month_bounds(add_months(parse_period(last), 1))[0])
    return queryset.order_by("id")


def _time(value):
    return timezone.localtime(value).isoformat() if value is not None else ""


def case_rows(queryset, chunk_size=CHUNK_SIZE):
    """Yield one list of cell texts per case (in COLUMNS order)."""
    fields = [{"center": "center__code"}.get(column, column) for column in COLUMNS]
    for row in queryset.values_list(*fields).iterator(chunk_size=chunk_size):
        case_no, center, item_code, channel, received, completed, status, satisfaction, complaint, last4 = row
        yield [
            case_no,
            center,
            item_code,
            channel,
            _time(received),
            _time(completed),
            status,
            satisfaction or "",
            "true" if complaint else "false",
            last4 or "",
        ]


def write_csv(rows, binary_handle):
    """CSV, UTF-8 with a BOM (spreadsheet programs then read the Chinese right); returns the row count."""
    text = io.TextIOWrapper(binary_handle, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = safe_csv_writer(text)
        writer.writerow(COLUMNS)
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
    finally:
        text.detach()  # leave the caller's handle open
    return count


def write_xlsx(rows, path):
    """XLSX through openpyxl's write-only mode (rows go to disk as they come); returns the row count."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("办件")
    append_row(sheet, COLUMNS)
    count = 0
    for row in rows:
        append_row(sheet, row)
        count += 1
    workbook.save(path)
    return count


def orphan_count(queryset):
    """Cases whose item no longer exists: import_cases refuses them (unknown item code)."""
    return queryset.filter(item__isnull=True).count()
