"""import_catalog: real-world long online-service URLs, and 事项简称 / 日常用语 columns."""

import io

import pytest
from django.core.management import CommandError, call_command

from guides.models import GuidePage

HEADER = "所属中心,实施主体,事项编码,事项名称,事项简称,日常用语,网上办理地址,设定依据"
LONG_URL = "https://zwfw.example.gov.cn/portal/affairs/guide?" + "&".join(
    f"param{i}=abcdefghijklmnopqrstuvwxyz{i:04d}" for i in range(20)
)


def run(tmp_path, *rows):
    path = tmp_path / "catalog.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_catalog", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return False, err.getvalue() + str(exc)
    return True, out.getvalue()


@pytest.mark.django_db
def test_long_online_url_and_everyday_names_are_imported(tmp_path):
    assert len(LONG_URL) > 700
    basis = f"《居民身份证法》|全国人大常委会|第十一条|{LONG_URL}"
    ok, out = run(
        tmp_path, f'dongcheng,gaj,LONG-001,居民身份证换领,身份证换领,"换身份证 身份证到期",{LONG_URL},{basis}'
    )
    assert ok, out
    page = GuidePage.objects.get(center__code="dongcheng", item_code="LONG-001")
    assert page.online_url == LONG_URL
    assert page.legal_basis.get().url == LONG_URL
    assert page.short_name == "身份证换领"
    assert page.everyday_terms == "换身份证 身份证到期"


@pytest.mark.django_db
def test_url_over_the_limit_is_reported_per_cell(tmp_path):
    too_long = "https://zwfw.example.gov.cn/?" + "a" * 2000
    ok, err = run(tmp_path, f"dongcheng,gaj,LONG-002,某事项,,,{too_long},")
    assert not ok
    assert "第 2 行，“网上办理地址”列：长度 2029 超过上限 2000 个字" in err
    assert not GuidePage.objects.filter(item_code="LONG-002").exists()
