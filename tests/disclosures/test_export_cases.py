"""`manage.py export_cases`: the import_cases format, filters by center and month, CSV/XLSX/stdout."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from disclosures.exports import COLUMNS
from disclosures.imports import ROW_COLUMNS
from disclosures.models import Case

from .helpers_cases import make_center, make_department, make_item

HEADER = ",".join(COLUMNS)
CASES = [
    "EXP-1,tcenter,T-001,window,2026-03-09T09:00:00.123456+08:00,2026-03-09T11:00:00+08:00,completed,good,否",
    "EXP-2,tcenter,T-002,online,2026-03-31T23:30:00+08:00,,received,,",
    "EXP-3,tcenter,T-001,window,2026-04-01T00:10:00+08:00,2026-04-20T09:00:00+08:00,completed,bad,是",
    "EXP-4,tcenter,T-002,online,2026-04-02T01:00:00Z,2026-04-03T02:00:00Z,returned,neutral,",
]


@pytest.fixture
def cases(db, tmp_path):
    center = make_center()
    department = make_department(center)
    items = [make_item(center, department, "T-001", promised_days=3), make_item(center, department, "T-002")]
    other = make_department(make_center("tother", "另一测试中心"), "tdept")
    make_item(other.center, other, "O-001")
    path = tmp_path / "in.csv"
    lines = [*CASES, "EXP-9,tother,O-001,window,2026-04-05T09:00:00+08:00,,received,,"]
    path.write_text("\n".join([HEADER, *lines]), encoding="utf-8")
    call_command("import_cases", str(path), stdout=io.StringIO())
    return items


def export(tmp_path, name, *args):
    path = tmp_path / name
    err = io.StringIO()
    call_command("export_cases", str(path), *args, stdout=io.StringIO(), stderr=err)
    return path, err.getvalue()


def csv_rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def state(numbers):
    return list(Case.objects.filter(case_no__in=numbers).order_by("case_no").values_list(*ROW_COLUMNS))


def test_export_round_trips_through_import_cases(cases, tmp_path):
    numbers = [line.split(",")[0] for line in CASES]
    before = state(numbers)
    path, err = export(tmp_path, "out.csv", "--center", "tcenter")
    assert "已导出 4 条办件" in err
    rows = csv_rows(path)
    assert list(rows[0]) == COLUMNS
    first = rows[0]
    assert first["case_no"] == "EXP-1" and first["received_at"] == "2026-03-09T09:00:00.123456+08:00"
    assert first["channel"] == "window" and first["status"] == "completed" and first["complaint"] == "false"
    assert rows[2]["complaint"] == "true" and rows[1]["completed_at"] == "" and rows[1]["satisfaction"] == ""
    assert rows[3]["received_at"] == "2026-04-02T09:00:00+08:00"  # stored in UTC, written in local time

    out = io.StringIO()
    call_command("import_cases", str(path), stdout=out)
    assert "新增 0 条，更新 4 条" in out.getvalue()
    Case.objects.filter(case_no__in=numbers).delete()
    out = io.StringIO()
    call_command("import_cases", str(path), stdout=out)
    assert "新增 4 条" in out.getvalue()
    assert state(numbers) == before


def test_month_filter_uses_local_time(cases, tmp_path):
    path, _err = export(tmp_path, "april.csv", "--center", "tcenter", "--from", "2026-04", "--to", "2026-04")
    assert [row["case_no"] for row in csv_rows(path)] == ["EXP-3", "EXP-4"]  # not EXP-2 (31 March, 23:30)
    path, _err = export(tmp_path, "march.csv", "--from", "2026-03", "--to", "2026-03")
    assert {row["case_no"] for row in csv_rows(path)} >= {"EXP-1", "EXP-2"}
    assert not {"EXP-3", "EXP-4", "EXP-9"} & {row["case_no"] for row in csv_rows(path)}
    path, _err = export(tmp_path, "from.csv", "--from", "2026-04")
    assert {"EXP-3", "EXP-4", "EXP-9"} <= {row["case_no"] for row in csv_rows(path)}
    assert not {"EXP-1", "EXP-2"} & {row["case_no"] for row in csv_rows(path)}


def test_xlsx_and_standard_output(cases, tmp_path, capfd):
    path, err = export(tmp_path, "out.xlsx", "--center", "tcenter")
    assert "已导出 4 条办件" in err
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS and rows[1][0] == "EXP-1" and len(rows) == 5
    out = io.StringIO()
    call_command("import_cases", str(path), "--dry-run", stdout=out)
    assert "更新 4 条" in out.getvalue()

    call_command("export_cases", "-", "--center", "tother", stderr=io.StringIO())
    text = capfd.readouterr().out
    assert text.lstrip("\ufeff").splitlines() == [
        HEADER,
        "EXP-9,tother,O-001,window,2026-04-05T09:00:00+08:00,,received,,false,",  # no phone: empty phone_last4
    ]


def test_cases_of_deleted_items_are_exported_with_a_warning(cases, tmp_path):
    cases[1].delete()  # T-002: its cases keep their item code, the link becomes empty
    path, err = export(tmp_path, "out.csv", "--center", "tcenter")
    assert "2 条办件的事项已被删除" in err
    assert len(csv_rows(path)) == 4


@pytest.mark.parametrize(
    "args, message",
    [
        (["--center", "nowhere"], "中心 nowhere 不存在"),
        (["--from", "2026-13"], "格式不正确"),
        (["--from", "2026-05", "--to", "2026-04"], "--from 不能晚于 --to"),
    ],
)
def test_bad_arguments(cases, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_cases", str(tmp_path / "x.csv"), *args)
    assert not (tmp_path / "x.csv").exists()


def test_phone_last4_is_exported_and_round_trips(cases, tmp_path):
    """The lookup key (last four digits of the applicant's phone) survives export → re-import,
    also into an empty table, so 办件查询 and the rating link keep working after a restore."""
    path = tmp_path / "phones.csv"
    path.write_text(
        "\n".join(
            [
                HEADER.replace(",phone_last4", "") + ",applicant_phone",
                "PH-1,tcenter,T-001,window,2026-03-09T09:00:00+08:00,,received,,,138 0013 8000",
                "PH-2,tcenter,T-002,online,2026-03-10T09:00:00+08:00,,received,,,",
            ]
        ),
        encoding="utf-8",
    )
    call_command("import_cases", str(path), stdout=io.StringIO())
    before = state(["PH-1", "PH-2"])
    assert Case.objects.get(case_no="PH-1").phone_last4 == "8000"

    exported, _err = export(tmp_path, "out.csv", "--center", "tcenter")
    rows = {row["case_no"]: row for row in csv_rows(exported)}
    assert rows["PH-1"]["phone_last4"] == "8000" and rows["PH-2"]["phone_last4"] == ""

    call_command("import_cases", str(exported), stdout=io.StringIO())  # update in place
    assert state(["PH-1", "PH-2"]) == before
    Case.objects.filter(case_no__in=["PH-1", "PH-2"]).delete()
    call_command("import_cases", str(exported), stdout=io.StringIO())  # restore
    assert state(["PH-1", "PH-2"]) == before


@pytest.mark.parametrize(
    "phone,last4,message",
    [
        ("", "80a0", "电话后四位应为 4 位数字"),
        ("", "12345", "电话后四位应为 4 位数字"),
        ("13800138000", "1234", "与申请人电话的后四位（8000）不一致"),
    ],
)
def test_bad_phone_last4_is_refused_with_a_precise_message(cases, tmp_path, phone, last4, message):
    path = tmp_path / "bad.csv"
    path.write_text(
        "\n".join(
            [
                HEADER + ",applicant_phone",
                f"PH-9,tcenter,T-001,window,2026-03-09T09:00:00+08:00,,received,,,{last4},{phone}",
            ]
        ),
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_cases", str(path), stdout=io.StringIO(), stderr=err)
    assert not Case.objects.filter(case_no="PH-9").exists()
    assert message in err.getvalue() + str(info.value)
    assert "第 2 行" in err.getvalue() + str(info.value)
