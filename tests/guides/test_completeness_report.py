"""The completeness report on Wagtail's ReportView: per-center/department scope in the rows, the
summary, the filter choices and both exports; the CSV and XLSX exports keep their columns and
never carry a formula."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.spreadsheets import FORMULA_PREFIXES
from portal.models import EditorialRole
from tests.guides.helpers import sign_in
from tests.portal.editorial_support import editorial_roles, make_editor  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/admin/reports/guide-completeness/"
HEADINGS = ["中心", "部门", "事项编码", "事项名称", "已公开项数", "缺失内容", "状态"]
FORMULA = '=HYPERLINK("http://evil.example","点此")'


def _departments_with_items(center_code):
    from guides.models import GuidePage

    codes = GuidePage.objects.filter(center__code=center_code).values_list("department__code", flat=True)
    return sorted(set(codes))


def _csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx_rows(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_window_staff_see_only_their_department_everywhere(client, editorial_roles):  # noqa: F811
    from guides.models import GuidePage

    own, other, *_rest = _departments_with_items("dongcheng")
    editor = make_editor("report-window", EditorialRole.WINDOW, "dongcheng", own)
    sign_in(client, editor)
    expected = set(
        GuidePage.objects.filter(center__code="dongcheng", department__code=own).values_list("item_code", flat=True)
    )

    response = client.get(URL)
    assert response.status_code == 200
    assert {item.item_code for item in response.context["object_list"]} <= expected
    assert response.context["paginator"].count == len(expected)
    assert [row["department__code"] for row in response.context["summary_rows"]] == [own]
    assert sum(row["items"] for row in response.context["summary_rows"]) == len(expected)
    form = response.context["view"].filters.form
    assert [code for code, _name in form.fields["center"].choices if code] == ["dongcheng"]
    assert [code for code, _name in form.fields["department"].choices if code] == [own]

    # Asking for another department or center by hand shows nothing of it.
    for query in (f"?department={other}", "?center=city"):
        leaked = client.get(URL + query)
        assert {item.department.code for item in leaked.context["object_list"]} <= {own}
        assert {item.center.code for item in leaked.context["object_list"]} <= {"dongcheng"}

    rows = _csv_rows(client.get(URL + "?export=csv"))
    assert rows[0] == HEADINGS
    assert {row[2] for row in rows[1:]} == expected
    xlsx = _xlsx_rows(client.get(URL + "?export=xlsx"))
    assert xlsx[0] == HEADINGS
    assert {row[2] for row in xlsx[1:]} == expected


def test_center_admin_sees_the_whole_center_and_no_other(client, editorial_roles):  # noqa: F811
    from guides.models import GuidePage

    admin = make_editor("report-center-admin", EditorialRole.CENTER_ADMIN, "dongcheng")
    sign_in(client, admin)
    response = client.get(URL + "?export=csv")
    codes = {row[2] for row in _csv_rows(response)[1:]}
    assert codes == set(GuidePage.objects.filter(center__code="dongcheng").values_list("item_code", flat=True))
    page = client.get(URL)
    assert {row["center__code"] for row in page.context["summary_rows"]} == {"dongcheng"}
    assert len(page.context["summary_rows"]) == len(_departments_with_items("dongcheng"))


def test_a_user_without_a_role_sees_no_items(client, admin_user):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("report-no-role", password="x-Report-pw-1")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    sign_in(client, user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["paginator"].count == 0 and response.context["summary_rows"] == []
    assert _csv_rows(client.get(URL + "?export=csv")) == [HEADINGS]


def test_exports_keep_the_columns_and_neutralise_formulas(client, admin_user):
    from guides.models import GuidePage

    item = GuidePage.objects.live().filter(center__code="city").order_by("pk").first()
    item.title = FORMULA
    item.save_revision().publish()
    item.legal_basis.all().delete()
    sign_in(client, admin_user)
    query = "?center=city&missing=legal_basis&incomplete=1&live=1&export="

    rows = _csv_rows(client.get(URL + query + "csv"))
    assert rows[0] == HEADINGS
    row = next(row for row in rows[1:] if row[2] == item.item_code)
    assert row[3] == "'" + FORMULA
    assert row[0] == item.center.name and row[5].startswith("设立依据") and row[6] == "已发布"
    assert int(row[4]) < 8
    assert not [cell for r in rows for cell in r if cell.startswith(FORMULA_PREFIXES)]
    assert all(r[0] == item.center.name for r in rows[1:]), "the center filter applies to the export"

    xlsx = _xlsx_rows(client.get(URL + query + "xlsx"))
    assert xlsx[0] == HEADINGS
    row = next(row for row in xlsx[1:] if row[2] == item.item_code)
    assert row[3] == FORMULA, "a string cell keeps the text; it is never a formula"
    assert len(xlsx) == len(rows)


def test_filters_and_paging_through_the_report_view(client, admin_user):
    from guides.models import GuidePage

    sign_in(client, admin_user)
    everything = client.get(URL)
    assert everything.context["paginator"].count == GuidePage.objects.count()
    assert len(everything.context["object_list"]) == min(50, GuidePage.objects.count())
    html = everything.content.decode()
    assert "按中心和部门汇总" in html and 'href="/admin/reports/guide-completeness/?export=xlsx"' in html
    results = client.get(URL.rstrip("/") + "/results/?center=dongcheng")
    assert results.status_code == 200
    assert "八公开完整度报告" not in results.content.decode(), "the results fragment for the filter drawer"
    dongcheng = client.get(URL + "?center=dongcheng")
    count = GuidePage.objects.filter(center__code="dongcheng").count()
    assert dongcheng.context["paginator"].count == count
