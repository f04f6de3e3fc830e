"""Every CSV and XLSX the site produces is safe to open in a spreadsheet (core/spreadsheets.py).

The finding: a fee item named `=HYPERLINK("http://…","点此")` or with the formula
`@SUM(1+1)*cmd|' /C calc'!A0` appeared raw in /fees/schedule.csv and as a real formula cell in
the .xlsx. Here hostile text is planted in a fee item, an item, a department and a case, every
download is fetched, and every cell is scanned: no CSV cell starts with = + - @ TAB CR, no XLSX
cell is a formula, and the hostile text is there (neutralised), so the scan cannot pass vacuously.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from core.spreadsheets import FORMULA_PREFIXES, PLAIN_NUMBER, append_row, safe_cell, safe_csv_writer, unescape_cell

HYPERLINK = '=HYPERLINK("http://evil.example","点此")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"


def scan_csv(data):
    text = data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    bad = [cell for cell in cells if cell.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(cell)]
    assert not bad, bad[:5]
    return cells


def scan_xlsx(data):
    workbook = load_workbook(io.BytesIO(data))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    return values


@pytest.fixture
def hostile(db):
    from disclosures.imports import apply_rows
    from guides.models import FeeBasis, FeeItem, GuideFee, GuidePage
    from portal.models import Department

    page = GuidePage.objects.live().filter(center__code="city").order_by("pk").first()
    page.title = HYPERLINK
    page.save_revision().publish()
    fee = FeeItem.objects.create(
        code="=EVIL",
        name=HYPERLINK,
        formula=DDE,
        unit="+1",
        notes="-2+3",
        department=page.department,
        amount=None,
        effective_from=datetime.date(2020, 1, 1),
    )
    FeeBasis.objects.create(fee_item=fee, title="\t=cmd", sort_order=0)
    GuideFee.objects.create(page=page, fee_item=fee, sort_order=99)
    Department.objects.filter(pk=page.department_id).update(name="@部门")
    result = apply_rows(
        [
            (
                1,
                {
                    "case_no": "-1+1",
                    "center": "city",
                    "item_code": GuidePage.objects.get(pk=page.pk).item_code,
                    "channel": "window",
                    "received_at": "2026-03-09T09:00:00+08:00",
                    "completed_at": "2026-03-09T10:00:00+08:00",
                    "status": "completed",
                },
            )
        ]
    )
    assert not result.problems, result.problems
    return page


def test_public_downloads_have_no_formulas(hostile):
    from disclosures.bulletins import build_bulletin

    client = Client()
    cells = scan_csv(client.get("/fees/schedule.csv?at=2026-03-09").content)
    assert "'" + HYPERLINK in cells and "'" + DDE in cells
    values = scan_xlsx(client.get("/fees/schedule.xlsx?at=2026-03-09").content)
    assert HYPERLINK in values and DDE in values
    build_bulletin("2026-03", "city", publish=True)
    cells = scan_csv(client.get("/api/bulletins/city/2026-03.csv").content)
    assert "'@部门" in cells
    assert "@部门" in scan_xlsx(client.get("/api/bulletins/city/2026-03.xlsx").content)
    series = f"center=city&department={hostile.department.code}&metric=completed&from=2026-03&to=2026-03"
    cells = scan_csv(client.get(f"/api/series.csv?{series}").content)
    assert "'@部门" in cells
    assert "@部门" in scan_xlsx(client.get(f"/api/series.xlsx?{series}").content)


def test_exports_and_reports_have_no_formulas(hostile, tmp_path, admin_client):
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"catalog.{fmt}"
        call_command("export_catalog", "--format", fmt, "--center", "city", "-o", str(path))
        found = scan_csv(path.read_bytes()) if fmt == "csv" else scan_xlsx(path.read_bytes())
        assert ("'" + HYPERLINK if fmt == "csv" else HYPERLINK) in found
        path = tmp_path / f"org.{fmt}"
        call_command("export_org", "-o", str(path))
        found = scan_csv(path.read_bytes()) if fmt == "csv" else scan_xlsx(path.read_bytes())
        assert ("'@部门" if fmt == "csv" else "@部门") in found
        path = tmp_path / f"cases.{fmt}"
        call_command("export_cases", str(path), "--center", "city", stdout=io.StringIO())
        found = scan_csv(path.read_bytes()) if fmt == "csv" else scan_xlsx(path.read_bytes())
        assert ("'-1+1" if fmt == "csv" else "-1+1") in found
    response = admin_client.get("/admin/reports/guide-completeness/?export=csv&center=city")
    assert "'" + HYPERLINK in scan_csv(response.content)


def test_the_sites_own_csv_imports_back_unchanged(hostile, tmp_path):
    """An exported catalog imports again with the same text (the apostrophe is removed)."""
    from guides.imports import import_catalog
    from guides.models import GuidePage

    path = tmp_path / "catalog.csv"
    call_command("export_catalog", "--format", "csv", "--center", "city", "-o", str(path))
    result = import_catalog(path, filename="catalog.csv", dry_run=True)
    assert not result.problems, result.problems[:3]
    assert result.updated == 0
    assert GuidePage.objects.get(pk=hostile.pk).title == HYPERLINK


def test_the_writer_api():
    assert [safe_cell(v) for v in ("=1", "-1+1", "+A1", "-cmd", "@x", "\tx", "\rx", "ok", 5, None, -3)] == [
        "'=1",
        "'-1+1",
        "'+A1",
        "'-cmd",
        "'@x",
        "'\tx",
        "'\rx",
        "ok",
        5,
        None,
        -3,
    ]
    # A signed plain number is read as that number, not a formula: it stays as it is.
    assert [safe_cell(v) for v in ("-0.18", "+3", "-4.5%", "-1e3", "-.5")] == ["-0.18", "+3", "-4.5%", "-1e3", "-.5"]
    assert unescape_cell("'=1") == "=1" and unescape_cell("'abc") == "'abc"
    buffer = io.StringIO()
    safe_csv_writer(buffer).writerow(["=1", 2])
    assert buffer.getvalue() == "'=1,2\r\n"
    from openpyxl import Workbook

    for write_only in (False, True):
        workbook = Workbook(write_only=write_only)
        sheet = workbook.create_sheet("x")
        append_row(sheet, ["=1+1", 3, Decimal("1.5")])
        data = io.BytesIO()
        workbook.save(data)
        values = scan_xlsx(data.getvalue())
        assert "=1+1" in values and 3 in values
