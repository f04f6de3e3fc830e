"""/api/items/ and /api/items/<center>/<item_code>/: shapes, filters, errors."""

import pytest

pytestmark = pytest.mark.django_db

DETAIL_KEYS = {
    "center",
    "item_code",
    "name",
    "url",
    "department",
    "item_type",
    "audience",
    "should_enter",
    "entered",
    "statutory_days",
    "promised_days",
    "charges",
    "procedure",
    "legal_basis",
    "materials",
    "fees",
    "window_authority",
    "completeness",
}
POWERS = ["accept", "review", "coordinate", "deliver", "litigate", "certify", "approve"]


@pytest.fixture
def charging_item():
    from guides.models import GuidePage

    return GuidePage.objects.live().filter(charges=True, fees__isnull=False).order_by("pk").first()


def test_item_detail_has_the_design_shape(client, charging_item, django_assert_max_num_queries):
    url = f"/api/items/{charging_item.center.code}/{charging_item.item_code}/"
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "\\u" not in response.content.decode(), "UTF-8, not ASCII escapes"
    data = response.json()
    assert set(data) >= DETAIL_KEYS
    assert data["center"] == charging_item.center.code
    assert data["item_code"] == charging_item.item_code
    assert data["name"] == charging_item.title
    assert data["url"].endswith(charging_item.url)
    assert data["department"] == charging_item.department.code
    assert data["promised_days"] == charging_item.promised_days
    assert data["charges"] is True
    assert list(data["window_authority"]) == POWERS
    assert all(isinstance(value, bool) for value in data["window_authority"].values())
    assert data["completeness"] == {"present": 8, "missing": []}
    assert [m["name"] for m in data["materials"]] == [m.name for m in charging_item.materials.all()]
    assert {"name", "required", "originals", "copies", "blank_form", "sample"} <= set(data["materials"][0])
    assert data["fees"] and data["fees"][0]["basis"]
    assert data["fees"][0]["in_force"] is True
    assert data["legal_basis"][0]["title"]
    assert data["procedure"]["steps"]


def test_completeness_missing_lists_disclosure_keys(client, charging_item):
    from guides.models import GuidePage

    GuidePage.objects.filter(pk=charging_item.pk).update(promised_days=None)
    charging_item.legal_basis.all().delete()
    data = client.get(f"/api/items/{charging_item.center.code}/{charging_item.item_code}/").json()
    assert data["completeness"] == {"present": 6, "missing": ["legal_basis", "time_limit"]}


def test_unknown_item_is_404_json(client):
    response = client.get("/api/items/city/NO-SUCH-ITEM/")
    assert response.status_code == 404
    assert "未找到事项" in response.json()["error"]


def test_list_is_paged_and_filterable(client):
    from guides.models import GuidePage

    response = client.get("/api/items/?center=city&audience=person&page_size=10")
    assert response.status_code == 200
    data = response.json()
    expected = GuidePage.objects.live().filter(center__code="city", audience__in=["person", "both"])
    assert data["count"] == expected.count()
    assert len(data["results"]) == min(10, data["count"])
    assert data["previous"] is None
    assert "page=2" in data["next"] and "center=city" in data["next"]
    first = data["results"][0]
    assert {"center", "item_code", "name", "url", "department", "item_type", "audience", "charges"} <= set(first)
    assert first["center"] == "city"
    second = client.get(data["next"]).json()
    assert second["previous"]
    assert not {r["item_code"] for r in second["results"]} & {r["item_code"] for r in data["results"]}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("charges=1", {"charges": True}),
        ("charges=0&type=licensing", {"charges": False, "item_type": "licensing"}),
        ("department=scjg", {"department": "scjg"}),
    ],
)
def test_list_filters(client, query, expected):
    data = client.get(f"/api/items/?{query}&page_size=200").json()
    assert data["count"] > 0
    for result in data["results"]:
        for key, value in expected.items():
            assert result[key] == value


def test_theme_filter(client):
    from guides.models import GuidePage, Theme

    theme = Theme.objects.filter(items__isnull=False).first()
    data = client.get(f"/api/items/?theme={theme.slug}").json()
    assert data["count"] == GuidePage.objects.live().filter(themes=theme).count()


@pytest.mark.parametrize(
    "query, message",
    [
        ("audience=alien", "服务对象只能是"),
        ("charges=maybe", "是否收费只能是"),
        ("type=nope", "未知的事项类型"),
        ("center=nowhere", "未知的中心编码"),
        ("department=nodept", "未知的部门编码"),
        ("theme=notheme", "未知的主题"),
        ("page=abc", "正整数"),
        ("page_size=1000", "page_size"),
        ("colour=red", "不支持的参数"),
        ("center=%3Cscript%3E", "编码格式不正确"),
    ],
)
def test_bad_parameters_are_400_json_in_chinese(client, query, message):
    response = client.get(f"/api/items/?{query}")
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_page_out_of_range_is_404_json(client):
    response = client.get("/api/items/?page=9999")
    assert response.status_code == 404
    assert "页码超出范围" in response.json()["error"]
