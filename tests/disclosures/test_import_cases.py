"""`manage.py import_cases`: CSV/XLSX, UTF-8/GBK, idempotent, all-or-nothing, precise errors."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from disclosures.models import Case

from .helpers_cases import make_center, make_department, make_item

HEADER = "case_no,center,item_code,channel,received_at,completed_at,status,satisfaction,complaint"
GOOD = [
    "IMP-1,tcenter,T-001,window,2026-03-09T09:00:00,2026-03-09T11:00:00,completed,good,否",
    "IMP-2,tcenter,T-002,online,2026-03-09 14:00,,received,,",
    "IMP-3,tcenter,T-001,window,2026-03-10T09:00:00+08:00,2026-03-20T09:00:00+08:00,completed,bad,是",
]


@pytest.fixture
def items(db):
    center = make_center()
    department = make_department(center)
    return [make_item(center, department, "T-001", promised_days=3), make_item(center, department, "T-002")]


def write(tmp_path, lines, name="cases.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes("\n".join(lines).encode(encoding))
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_cases", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def test_import_then_reimport_updates(items, tmp_path):
    ok, out, _err = run(write(tmp_path, [HEADER, *GOOD]))
    assert ok and "新增 3 条" in out
    assert Case.objects.filter(case_no__startswith="IMP-").count() == 3
    late = Case.objects.get(case_no="IMP-3")
    assert late.completed_on_time is False and late.complaint is True
    # The open case is completed in a second delivery: updated, not duplicated.
    changed = GOOD[:1] + ["IMP-2,tcenter,T-002,online,2026-03-09 14:00,2026-03-10 09:00,completed,good,"]
    ok, out, _err = run(write(tmp_path, [HEADER, *changed]))
    assert ok and "新增 0 条，更新 2 条" in out
    assert Case.objects.filter(case_no__startswith="IMP-").count() == 3
    assert Case.objects.get(case_no="IMP-2").status == "completed"


def test_gbk_csv_with_chinese_headers(items, tmp_path):
    header = "办件编号,中心,事项编码,办理渠道,受理时间,办结时间,状态,满意度,投诉"
    line = "GBK-1,tcenter,T-001,窗口,2026-03-09 09:00,2026-03-09 10:00,办结,满意,否"
    ok, out, err = run(write(tmp_path, [header, line], encoding="gbk"))
    assert ok, err
    assert Case.objects.get(case_no="GBK-1").satisfaction == "good"


def test_xlsx(items, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(
        ["X-1", "tcenter", "T-001", "window", "2026-03-09T09:00:00", "2026-03-09T10:00:00", "completed", 5, ""]
    )
    path = tmp_path / "cases.xlsx"
    workbook.save(path)
    ok, _out, err = run(path)
    assert ok, err
    assert Case.objects.get(case_no="X-1").satisfaction == "good"


def test_dry_run_writes_nothing(items, tmp_path):
    ok, out, _err = run(write(tmp_path, [HEADER, *GOOD]), "--dry-run")
    assert ok and "试运行" in out and "新增 3 条" in out
    assert not Case.objects.filter(case_no__startswith="IMP-").exists()


def test_every_problem_reported_and_nothing_written(items, tmp_path):
    lines = [
        HEADER,
        GOOD[0],
        "BAD-1,nowhere,T-001,window,2026-03-09T09:00:00,,received,,",
        "BAD-2,tcenter,NOPE,window,2026-03-09T09:00:00,,received,,",
        "BAD-3,tcenter,T-001,window,2026-03-09T09:00:00,2026-03-08T09:00:00,completed,,",
        "BAD-4,tcenter,T-001,window,2026-13-45,,received,,",
        "IMP-1,tcenter,T-001,window,2026-03-09T09:00:00,,received,,",
        "BAD-5,tcenter,T-001,fax,2026-03-09T09:00:00,,done,,",
        "BAD-6,tcenter,T-001,window,2026-03-09T09:00:00,,received,superb,maybe",
    ]
    ok, _out, err = run(write(tmp_path, lines))
    assert not ok
    assert "第 3 行，“center”列：未知的中心“nowhere”" in err
    assert "第 4 行，“item_code”列：中心“tcenter”没有编码为“NOPE”的事项" in err
    assert "第 5 行，“completed_at”列：办结时间早于受理时间" in err
    assert "第 6 行，“received_at”列：“2026-13-45”不是有效时间" in err
    assert "第 7 行，“case_no”列：办件编号“IMP-1”与第 2 行重复" in err
    assert "第 8 行，“channel”列" in err and "第 8 行，“status”列" in err
    assert "第 9 行，“satisfaction”列" in err and "第 9 行，“complaint”列" in err
    assert "未写入任何数据" in err
    assert not Case.objects.filter(case_no__startswith="IMP-").exists()
    assert not Case.objects.filter(case_no__startswith="BAD-").exists()


def test_empty_file_and_header_only(items, tmp_path):
    ok, _out, err = run(write(tmp_path, [""], name="empty.csv"))
    assert not ok and "文件是空的" in err
    ok, _out, err = run(write(tmp_path, [HEADER], name="header.csv"))
    assert not ok and "没有数据行" in err


def test_missing_required_column_and_missing_file(items, tmp_path):
    ok, _out, err = run(write(tmp_path, ["case_no,center", "A,tcenter"]))
    assert not ok and "缺少必需的列" in err
    ok, _out, err = run(tmp_path / "nope.csv")
    assert not ok and "文件不存在" in err
