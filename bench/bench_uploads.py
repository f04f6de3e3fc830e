"""Hostile uploads refused within a bounded time (issue 11: a 4.9 KB XLSX claiming
A1:XFD1048576 took a gunicorn worker to its 30 s timeout).

Reads each file with the catalog import's reader (core.tabular.read_table with the catalog's
row limit) and reports the wall time until the refusal: the gap-dimension workbook, a 400,000-row
CSV and a workbook whose sheet inflates to 300 MB (checked before parsing). Target: under 5 s
each, far below a worker's timeout; no database is needed.
"""

import time

from common import row

from tests.hostile_files import gap_dimension_xlsx, inflating_xlsx, many_rows_csv

TARGET_SECONDS = 5.0


def run():
    import django

    django.setup()
    from django.conf import settings

    from core.tabular import TabularError, read_table
    from guides.catalog_format import ALIASES, REQUIRED_COLUMNS

    files = [
        ("gap-dimension XLSX (claims A1:XFD1048576)", "gap.xlsx", gap_dimension_xlsx()),
        ("400,000-row CSV", "big.csv", many_rows_csv(400_000)),
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
