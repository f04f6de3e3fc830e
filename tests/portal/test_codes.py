"""One code normaliser (portal/codes.py) for the org, catalog and case importers, the URLs and
the APIs: an organisation imported with upper-case codes takes a catalog and cases written in
any case, and the item API answers for either spelling."""

import io

import pytest
from django.core.management import call_command

from portal import codes
from portal.models import Department, ServiceCenter

ORG = """kind,code,name,parent,level
center,C00,测试市中心,,city
center,C06,测试县中心,C00,county
department,SCJG,市场监管局,C06,
department,Gaj,公安局,c06,
"""

CATALOG = """所属中心,实施主体,事项编码,事项名称,事项类型,服务对象,办件类型,法定办结时限,承诺办结时限
C06,SCJG,ＴＳ-００１,测试事项一,行政许可,个人,承诺件,20,5
c06,gaj,ts-002,测试事项二,行政确认,个人,即办件,1,0
"""

CASES = """case_no,center,item_code,channel,received_at,completed_at,status,satisfaction,complaint
UP-1,C06,TS-001,window,2026-03-09T09:00:00,2026-03-09T11:00:00,completed,good,否
UP-2,c06,ts-001,online,2026-03-09T10:00:00,,received,,
UP-3, C06 ,Ts-002,window,2026-03-10T09:00:00,2026-03-10T09:30:00,completed,good,否
"""


def test_the_normaliser():
    assert codes.org_code(" C00 ") == codes.org_code("c00") == "c00"
    assert codes.org_code("ＳＣＪＧ") == "scjg"  # full-width, from a Chinese input method
    assert codes.item_key("ts-001") == codes.item_key("TS-001") == codes.item_key("ＴＳ－００１")
    assert codes.clean("ＴＳ-００１") == "TS-001"
    assert codes.org_code_error("c" * codes.ORG_CODE_MAX_LENGTH) is None
    assert "32" in codes.org_code_error("c" * (codes.ORG_CODE_MAX_LENGTH + 1))
    assert codes.org_code_error("c 0") and codes.org_code_error("中心") and codes.org_code_error("-c")
    assert codes.item_code_error("X" * codes.ITEM_CODE_MAX_LENGTH) is None
    assert "64" in codes.item_code_error("X" * (codes.ITEM_CODE_MAX_LENGTH + 1))
    assert codes.item_code_error("--") and codes.item_code_error("")


def test_the_limits_are_the_model_fields():
    from guides.models import GuidePage

    assert ServiceCenter._meta.get_field("code").max_length >= codes.ORG_CODE_MAX_LENGTH
    assert Department._meta.get_field("code").max_length >= codes.ORG_CODE_MAX_LENGTH
    assert GuidePage._meta.get_field("item_code").max_length >= codes.ITEM_CODE_MAX_LENGTH


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_org_with_upper_case_codes_then_catalog_and_cases_against_it(tmp_path, client):
    from disclosures.models import Case
    from guides.models import GuidePage

    call_command("init_site", stdout=io.StringIO())
    call_command("import_org", _write(tmp_path, "org.csv", ORG), stdout=io.StringIO())
    center = ServiceCenter.objects.get(code="c06")
    assert center.parent.code == "c00"
    assert set(center.departments.values_list("code", flat=True)) == {"scjg", "gaj"}
    call_command("import_org", _write(tmp_path, "org2.csv", ORG.replace("C06", "c06")), stdout=io.StringIO())
    assert ServiceCenter.objects.filter(code__iexact="c06").count() == 1  # the same center, not a second

    out = io.StringIO()
    call_command("import_catalog", _write(tmp_path, "catalog.csv", CATALOG), stdout=out)
    items = {page.item_code: page for page in GuidePage.objects.filter(center=center)}
    assert set(items) == {"TS-001", "ts-002"}
    assert items["TS-001"].department.code == "scjg"

    # The same items again, in other cases: updated in place, never duplicated.
    again = (
        CATALOG.replace("ＴＳ-００１", "ts-001").replace("ts-002", "TS-002").replace("测试事项二", "测试事项二（改）")
    )
    call_command("import_catalog", _write(tmp_path, "catalog2.csv", again), stdout=io.StringIO())
    assert GuidePage.objects.filter(center=center).count() == 2
    renamed = GuidePage.objects.get(center=center, item_code="ts-002")  # keeps its first spelling
    assert renamed.title == "测试事项二（改）"

    out = io.StringIO()
    call_command("import_cases", _write(tmp_path, "cases.csv", CASES), stdout=out)
    cases = Case.objects.filter(case_no__startswith="UP-")
    assert cases.count() == 3
    assert {case.item_id for case in cases} == {items["TS-001"].pk, items["ts-002"].pk}

    for url in ("/api/items/c06/TS-001/", "/api/items/C06/ts-001/", "/api/items/c06/TS-002/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/api/items/?center=C06").json()["count"] == 2
    assert client.get("/api/items/c06/TS-999/").status_code == 404
