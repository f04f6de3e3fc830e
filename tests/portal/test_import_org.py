"""`manage.py import_org`: centers and departments, idempotent, all-or-nothing."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from portal.models import Department, ServiceCenter

GOOD = """kind,code,name,parent,level
center,hushan,湖山县政务服务中心,city,county
department,scjg,市场监督管理局,hushan,
department,gaj,公安局,hushan,
"""


def run(tmp_path, text, name="org.csv", *args):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_org", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_creates_then_is_idempotent(tmp_path):
    out, _ = run(tmp_path, GOOD)
    assert "新增 3" in out
    center = ServiceCenter.objects.get(code="hushan")
    assert center.parent.code == "city" and center.level == "county"
    assert set(Department.objects.filter(center=center).values_list("code", flat=True)) == {"scjg", "gaj"}
    out, _ = run(tmp_path, GOOD)
    assert "新增 0，更新 0，未变 3" in out


@pytest.mark.django_db
def test_import_updates_names_and_accepts_chinese_headers_and_xlsx(tmp_path):
    run(tmp_path, GOOD)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["类型", "编码", "名称", "上级", "层级"])
    sheet.append(["中心", "hushan", "湖山县行政服务中心", "city", "县级"])
    sheet.append(["部门", "gaj", "公安分局", "hushan", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    out, _ = run(tmp_path, buffer.getvalue(), "org.xlsx")
    assert "更新 2" in out
    assert ServiceCenter.objects.get(code="hushan").name == "湖山县行政服务中心"
    assert Department.objects.get(center__code="hushan", code="gaj").name == "公安分局"


@pytest.mark.django_db
def test_bad_rows_are_all_reported_and_nothing_is_written(tmp_path):
    text = """kind,code,name,parent,level
center,hushan,湖山县政务服务中心,nowhere,county
office,x1,某办公室,city,
department,ab cd,部门,city,
department,ok1,部门,missing,
center,hushan2,,city,province
"""
    with pytest.raises(CommandError) as exc:
        run(tmp_path, text)
    assert "未写入任何数据" in str(exc.value)
    # stderr holds the lines; re-run capturing it
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stderr=err)
    report = err.getvalue()
    assert "第 2 行，“parent”列：上级中心 nowhere 不存在" in report
    assert "第 3 行，“kind”列：“office”不是允许的值" in report
    assert "第 4 行，“code”列：编码“ab cd”只能包含字母、数字" in report
    assert "第 5 行，“parent”列：所属中心 missing 不存在" in report
    assert "第 6 行，“name”列：不能为空" in report
    assert "第 6 行，“level”列：“province”不是允许的值" in report
    assert not ServiceCenter.objects.filter(code__in=["hushan", "hushan2"]).exists()
    assert not Department.objects.filter(code="ok1").exists()


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path):
    out, _ = run(tmp_path, GOOD, "org.csv", "--dry-run")
    assert "试运行" in out and "新增 3" in out
    assert not ServiceCenter.objects.filter(code="hushan").exists()


@pytest.mark.django_db
def test_parent_cycle_is_refused(tmp_path):
    text = "kind,code,name,parent,level\ncenter,a1,甲,b1,county\ncenter,b1,乙,a1,county\n"
    path = tmp_path / "cycle.csv"
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stderr=err)
    assert "上级中心形成循环" in err.getvalue()
