"""`manage.py export_org` (the import_org format, with the optional center columns) and `init_site`."""

import io

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Site

from portal.models import Department, HomePage, PortalSettings, ServiceCenter


def org_state():
    centers = sorted(
        ServiceCenter.objects.values_list(
            "code", "name", "level", "parent__code", "address", "hours", "phone", "sort_order"
        )
    )
    return centers, sorted(Department.objects.values_list("center__code", "code", "name"))


def import_org(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_org", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_restores_centers_exactly(centers, tmp_path, fmt):
    path = tmp_path / f"org.{fmt}"
    call_command("export_org", "-o", str(path), stderr=io.StringIO())
    before = org_state()
    total = len(before[0]) + len(before[1])
    assert f"新增 0，更新 0，未变 {total}" in import_org(path)

    city = ServiceCenter.objects.get(code="city")
    ServiceCenter.objects.filter(code="city").update(sort_order=42, address="", phone="110", hours="全天")
    ServiceCenter.objects.filter(code="shimen").update(parent=None, name="改名")
    assert org_state() != before
    assert "更新 2" in import_org(path)
    assert org_state() == before
    assert ServiceCenter.objects.get(code="city").address == city.address != ""


def test_csv_header_and_standard_output(centers, capfd):
    call_command("export_org")
    lines = capfd.readouterr().out.lstrip("\ufeff").splitlines()
    assert lines[0] == "kind,code,name,parent,level,sort_order,address,hours,phone"
    assert lines[1].startswith("center,city,临江市政务服务中心,,city,0,")
    assert "department,scjg,市场监督管理局,city,,,,," in lines
    with pytest.raises(CommandError, match="XLSX"):
        call_command("export_org", "--format", "xlsx")


def test_center_columns_are_optional_and_checked(centers, tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(
        "kind,code,name,parent,level,排序,地址,电话\n"
        "center,hushan,湖山县政务服务中心,city,county,9,湖山县府前路 1 号,0571-1\n"
        "department,gaj,公安局,hushan,,,,\n",
        encoding="utf-8",
    )
    assert "新增 2" in import_org(path)
    hushan = ServiceCenter.objects.get(code="hushan")
    assert (hushan.sort_order, hushan.address, hushan.phone, hushan.hours) == (9, "湖山县府前路 1 号", "0571-1", "")
    # Without the columns nothing of them changes.
    path.write_text("kind,code,name,parent,level\ncenter,hushan,湖山县政务服务中心,city,county\n", encoding="utf-8")
    assert "未变 1" in import_org(path)
    assert ServiceCenter.objects.get(code="hushan").sort_order == 9

    path.write_text(
        "kind,code,name,parent,level,sort_order,address\n"
        "center,hushan,湖山县政务服务中心,city,county,-1,\n"
        "department,gaj,公安局,hushan,,3,某地\n"
        f"center,hushan2,湖山,city,county,,{'长' * 201}\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stdout=io.StringIO(), stderr=err)
    text = err.getvalue()
    assert "第 2 行" in text and "sort_order" in text and "小于允许的最小值" in text
    assert "第 3 行" in text and "部门不填写此项" in text
    assert "第 4 行" in text and "最长 200 个字" in text
    assert not ServiceCenter.objects.filter(code="hushan2").exists()


def test_init_site_is_idempotent(centers):
    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    out = io.StringIO()
    call_command("init_site", "--name", "湖山县政务服务中心", stdout=out)
    assert "首页已存在" in out.getvalue()
    assert HomePage.objects.get().pk == home.pk
    site.refresh_from_db()
    assert site.root_page_id == home.pk and site.site_name == "湖山县政务服务中心"
    assert PortalSettings.for_site(site).center_name == "湖山县政务服务中心"
