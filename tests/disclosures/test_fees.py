"""The fee schedule: in force on a date, history, filters, downloads, bad input."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from guides.models import FeeBasis, FeeItem

from .helpers_cases import make_center, make_department

D = datetime.date.fromisoformat


@pytest.fixture
def fees(db):
    center = make_center("feec", "收费测试中心")
    department = make_department(center, "fdept", "收费测试部门")
    old = FeeItem.objects.create(
        code="F-1",
        name="测试证书工本费",
        department=department,
        amount=Decimal("20"),
        unit="本",
        effective_from=D("2020-01-01"),
        effective_to=D("2025-12-31"),
    )
    FeeBasis.objects.create(fee_item=old, title="旧收费文件", document_number="测价〔2019〕1号")
    new = FeeItem.objects.create(
        code="F-1",
        name="测试证书工本费",
        department=department,
        amount=Decimal("15"),
        unit="本",
        effective_from=D("2026-01-01"),
    )
    FeeBasis.objects.create(fee_item=new, title="新收费文件", document_number="测价〔2025〕9号")
    ended = FeeItem.objects.create(
        code="F-2",
        name="已取消的收费",
        department=department,
        formula="按面积计",
        effective_from=D("2018-01-01"),
        effective_to=D("2023-06-30"),
    )
    FeeBasis.objects.create(fee_item=ended, title="取消前依据")
    return center


def test_api_schedule_in_force_on_a_day(client, fees):
    response = client.get("/api/fees/", {"at": "2026-03-01", "center": "feec"})
    assert response.status_code == 200
    data = response.json()
    assert data["at"] == "2026-03-01" and data["center"] == "feec" and data["total"] == 1
    fee = data["fees"][0]
    assert fee["code"] == "F-1" and fee["amount"] == "15.00" and fee["effective_to"] is None
    assert fee["basis"][0]["document_number"] == "测价〔2025〕9号"
    assert [v["amount"] for v in fee["history"]] == ["15.00", "20.00"]
    assert fee["history"][1]["effective_to"] == "2025-12-31"
    # Earlier dates show the earlier standards, including a fee since abolished.
    data = client.get("/api/fees/", {"at": "2022-05-05", "center": "feec"}).json()
    assert {f["code"]: f["price"] for f in data["fees"]} == {"F-1": "20 元/本", "F-2": "按面积计"}
    data = client.get("/api/fees/", {"at": "2017-01-01", "center": "feec"}).json()
    assert data["total"] == 0


def test_department_filter_and_default_today(client, fees):
    data = client.get("/api/fees/", {"center": "feec", "department": "fdept"}).json()
    assert data["department"] == "fdept" and data["total"] == 1
    all_centers = client.get("/api/fees/").json()
    assert all_centers["total"] >= 1 and all_centers["center"] is None


@pytest.mark.parametrize("params", [{"at": "2026-02-30"}, {"at": "yesterday"}, {"center": "nowhere"}])
def test_bad_input_is_a_clear_400(client, fees, params):
    response = client.get("/api/fees/", params)
    assert response.status_code == 400
    assert response.json()["error"]
    page = client.get("/fees/", params)
    assert page.status_code == 400
    assert "notice-box" in page.content.decode()


def test_page_lists_fees_with_history(client, fees, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        response = client.get("/fees/", {"at": "2026-03-01", "center": "feec"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "测试证书工本费" in html and "15 元/本" in html and "20 元/本" in html
    assert "测价〔2019〕1号" in html  # the history shows the old basis
    assert 'for="fee-at"' in html and "<script>" not in html
    assert "/fees/schedule.csv?at=2026-03-01&amp;center=feec" in html
    assert 'id="fee-department"' in html  # department filter once a center is chosen


def test_downloads(client, fees):
    query = {"at": "2026-03-01", "center": "feec"}
    csv_response = client.get("/fees/schedule.csv", query)
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert "收费编码" in text.splitlines()[0] and "F-1" in text and "15.00" in text
    assert "attachment" in csv_response["Content-Disposition"]
    xlsx = client.get("/fees/schedule.xlsx", query)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][4] == "F-1" and rows[1][6] == 15.0
    data = json.loads(client.get("/fees/schedule.json", query).content)
    assert data["fees"][0]["code"] == "F-1"
    assert client.get("/fees/schedule.pdf", query).status_code == 404
    assert client.get("/fees/schedule.csv", {"at": "bad"}).status_code == 400
