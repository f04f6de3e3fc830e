"""Completeness: the Python checks, their SQL twin for the admin report, the report itself,
and the panel in the item editor."""

import pytest

from tests.guides.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, admin_user):
    return sign_in(client, admin_user)


def test_sql_completeness_agrees_with_python_on_every_item():
    from guides.completeness import completeness
    from guides.queries import items_for_display
    from guides.reports import KEYS, annotate_completeness

    annotated = {
        page.pk: page for page in annotate_completeness(__import__("guides.models").models.GuidePage.objects.all())
    }
    for item in items_for_display(__import__("guides.models").models.GuidePage.objects.all()):
        expected = completeness(item)
        row = annotated[item.pk]
        assert row.present == expected["present"], item.item_code
        assert [key for key in KEYS if not getattr(row, f"ok_{key}")] == expected["missing"]


def test_broken_items_are_reported_as_missing():
    from guides.completeness import completeness
    from guides.models import GuidePage
    from guides.reports import report_queryset

    item = GuidePage.objects.filter(charges=True).order_by("pk").first()
    GuidePage.objects.filter(pk=item.pk).update(promised_days=(item.statutory_days or 0) + 5)
    item.materials.update(name="")
    for link in item.fees.all():
        link.fee_item.basis.all().delete()
    fresh = GuidePage.objects.get(pk=item.pk)
    result = completeness(fresh)
    assert set(result["missing"]) == {"time_limit", "materials", "fee_basis"}
    assert result["present"] == 5
    rows = report_queryset(center=item.center.code, missing="fee_basis")
    assert item.pk in {row.pk for row in rows}


def test_admin_report_lists_items_and_counts_and_exports_csv(superuser_client):
    from guides.models import GuidePage

    item = GuidePage.objects.filter(center__code="city").order_by("pk").first()
    item.legal_basis.all().delete()
    response = superuser_client.get("/admin/reports/guide-completeness/?center=city&incomplete=1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "八公开完整度报告" in html
    assert item.title in html and "设立依据" in html
    summary = response.context["summary_rows"]
    assert sum(row["items"] for row in summary) == GuidePage.objects.filter(center__code="city").count()
    assert sum(row["missing"][2] for row in summary) >= 1  # legal basis column

    csv_response = superuser_client.get("/admin/reports/guide-completeness/?center=city&missing=legal_basis&export=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("中心,部门,事项编码")
    assert any(item.item_code in line and "设立依据" in line for line in lines[1:])


def test_report_needs_admin_access(client):
    response = client.get("/admin/reports/guide-completeness/")
    assert response.status_code in (302, 403)


def test_report_is_in_the_reports_menu(superuser_client):
    html = superuser_client.get("/admin/").content.decode()
    assert "/admin/reports/guide-completeness/" in html


def test_edit_view_shows_completeness(superuser_client):
    from guides.models import GuidePage

    item = GuidePage.objects.order_by("pk").first()
    html = superuser_client.get(f"/admin/pages/{item.pk}/edit/").content.decode()
    assert "八公开完整度：8/8（按 " in html and "最近保存的版本）" in html
    assert "未保存的修改不计入" not in html


def test_refused_edit_does_not_change_what_the_panel_shows(superuser_client):
    """The panel counts the saved version, not what the editor typed and the form refused."""
    from django.contrib.auth import get_user_model

    from guides.models import GuidePage
    from tests.portal.editorial_support import page_form_data

    item = GuidePage.objects.order_by("pk").first()
    user = get_user_model().objects.filter(is_superuser=True).first()
    data = page_form_data(item, user, title="", acceptance_conditions="", statutory_days="1", promised_days="9")
    if not item.notes:
        data.pop("notes", None)
    response = superuser_client.post(f"/admin/pages/{item.pk}/edit/", data)
    assert response.status_code == 200  # refused
    html = response.content.decode()
    assert "八公开完整度：8/8（按 " in html
    assert "本页上未保存的修改不计入" in html
