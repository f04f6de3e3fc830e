"""What a journalist analyses: the comparison of centers by rate (page, files), tidy open data
where every row names its center, the Frictionless data package (validated with frictionless),
time series, the data dictionary and corrections, on the small demo's bulletins."""

import csv
import io
import json

import openpyxl
import pytest

from disclosures import bulletins, comparison, statistics
from disclosures.models import BulletinPage

pytestmark = pytest.mark.django_db

SEED_CENTERS = ["city", "dongcheng", "xicheng", "nanhu", "beishan", "qinghe", "yunxi", "shimen"]


@pytest.fixture
def last_month():
    return bulletins.format_period(bulletins.previous_period())


def _csv(response):
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_city_wide_tidy_file_names_the_center_of_every_row(client, last_month):
    rows = _csv(client.get(f"/api/bulletins/all/{last_month}.csv"))
    assert rows and all(row["center_code"] and row["center_name"] for row in rows)
    departments = [row for row in rows if row["level"] == "department"]
    # The same department code in several centers: the center keeps them apart.
    scjg = {row["center_code"] for row in departments if row["department_code"] == "scjg"}
    assert scjg == set(SEED_CENTERS)
    assert list(dict.fromkeys(row["center_code"] for row in departments)) == SEED_CENTERS  # in center order
    assert {row["center_code"] for row in rows if row["level"] == "city"} == {"all"}


def test_tidy_file_reproduces_entry_and_authorization_rate_comparison_sorted_by_rate(client, last_month):
    fresh = statistics.compute("all", last_month)
    expected = {row["code"]: row for row in fresh["centers"]}
    url = f"/api/bulletins/all/{last_month}.csv?level=center&metric=entry_rate,authorization_rate_approve"
    rows = _csv(client.get(url))
    assert {row["metric"] for row in rows} == {"entry_rate", "authorization_rate_approve"}
    for metric in ("entry_rate", "authorization_rate_approve"):
        block = [row for row in rows if row["metric"] == metric]
        assert [row["center_code"] for row in block] != [] and {r["center_code"] for r in block} == set(SEED_CENTERS)
        values = [float(row["value"]) for row in block if row["value"]]
        assert values == sorted(values, reverse=True)  # the file is sorted by rate
        ranks = [int(row["rank"]) for row in block if row["rank"]]
        assert ranks == sorted(ranks) and ranks[0] == 1
        for row in block:
            center = expected[row["center_code"]]
            if metric == "entry_rate":
                assert (int(row["numerator"]), int(row["denominator"])) == (center["entered"], center["should_enter"])
            else:
                assert int(row["numerator"]) == center["authorized"]["approve"]
                assert int(row["denominator"]) == center["entered"]
            assert (float(row["value"]) if row["value"] else None) == statistics.rate(
                int(row["numerator"]), int(row["denominator"])
            )


def test_xlsx_department_sheet_has_the_center_on_every_row(client, last_month):
    content = client.get(f"/api/bulletins/all/{last_month}.xlsx").content
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames[:3] == ["整洁数据", "概况", "中心对比（宽表）"]
    sheet = list(workbook["部门（宽表）"].iter_rows(values_only=True))
    assert sheet[0][:4] == ("中心编码", "中心", "部门编码", "部门")
    assert len(sheet) > 1 and all(row[0] and row[1] for row in sheet[1:])
    assert {row[0] for row in sheet[1:]} == set(SEED_CENTERS)
    tidy = list(workbook["整洁数据"].iter_rows(values_only=True))
    assert tidy[0][:3] == ("period", "center_code", "center_name")
    assert all(row[1] and row[2] for row in tidy[1:])


def test_data_package_validates_with_frictionless(client, last_month, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    descriptor = client.get(f"/api/bulletins/all/{last_month}/datapackage.json").json()
    assert descriptor["profile"] == "tabular-data-package"
    for resource in descriptor["resources"]:
        path = resource["path"].split("testserver", 1)[1]
        local = tmp_path / f"{resource['name']}.csv"
        local.write_bytes(client.get(path).content)
        resource["path"] = local.name
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_data_package_rejects_a_broken_file(client, last_month, tmp_path):
    """The validation can fail: a row without its center, or a rate that is not a number."""
    frictionless = pytest.importorskip("frictionless")
    descriptor = client.get(f"/api/bulletins/all/{last_month}/datapackage.json").json()
    resource = descriptor["resources"][0]
    text = client.get(resource["path"].split("testserver", 1)[1]).content.decode("utf-8-sig")
    lines = text.splitlines()
    lines[1] = ",".join(["", "", *lines[1].split(",")[2:10], "12.5%", *lines[1].split(",")[11:]])
    (tmp_path / "broken.csv").write_text("\n".join(lines), encoding="utf-8")
    resource["path"] = "broken.csv"
    resource["encoding"] = "utf-8"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    types = {error[0] for error in report.flatten(["type"])}
    assert "constraint-error" in types and "type-error" in types


def test_page_compares_centers_on_every_rate_and_sorts_without_javascript(client, last_month):
    page = BulletinPage.objects.live().get(center__isnull=True, period=bulletins.parse_period(last_month))
    html = client.get(page.url + "?sort=entry_rate&order=asc").content.decode()
    for label in ("进驻率", "窗口审核授权率", "窗口审批授权率", "即办率", "按时办结率", "满意度", "投诉办结率"):
        assert label in html
    assert 'href="?sort=entry_rate&amp;order=desc#comparison"' in html  # a second click reverses
    data = bulletins.page_data(page)
    table = comparison.tables(data, sort="entry_rate", order="asc")
    values = [row["cells"]["entry_rate"]["value"] for row in table["centers"]]
    known = [v for v in values if v is not None]
    assert known and values[: len(known)] == sorted(known)  # centers without a rate come last
    names = [row["name"] for row in table["centers"]]
    section = html.split('id="comparison"', 1)[1].split("</table>", 1)[0]
    positions = [section.index(name) for name in names]
    assert positions == sorted(positions)  # the page lists the centers in that order


def test_ranks_share_ties_and_skip_missing_rates():
    rows = [
        {"key": (c, ""), "center": c, "center_name": c, "code": c, "name": c, "subject": s}
        for c, s in [
            ("a", {"entered": 5, "should_enter": 10}),
            ("b", {"entered": 8, "should_enter": 10}),
            ("c", {"entered": 4, "should_enter": 8}),
            ("d", {"entered": 0, "should_enter": 0}),
        ]
    ]
    previous = [{**rows[0], "subject": {"entered": 4, "should_enter": 10}}]
    built = {row["code"]: row["cells"]["entry_rate"] for row in comparison.build(rows, previous)}
    assert [built[c]["rank"] for c in "abcd"] == [2, 1, 2, None]
    assert built["a"]["mom"] == 10.0 and built["b"]["mom"] is None
    assert built["d"]["value"] is None


def test_series_of_a_center_over_published_months(client, last_month):
    period = bulletins.parse_period(last_month)
    earlier = statistics.add_months(period, -1)
    bulletins.build_bulletin(earlier, "all", publish=True)
    url = f"/api/series/?center=dongcheng&metric=on_time_rate&from={earlier:%Y-%m}&to={last_month}"
    data = client.get(url).json()
    assert [p["period"] for p in data["points"]] == [f"{earlier:%Y-%m}", last_month]
    for point in data["points"]:
        fresh = statistics.compute("dongcheng", point["period"])
        assert point["center_code"] == "dongcheng" and point["center_name"] == "东城区政务服务中心"
        assert (point["numerator"], point["denominator"]) == (
            fresh["counts"]["completed_on_time"],
            fresh["counts"]["completed"],
        )
        assert point["value"] == fresh["figures"]["on_time_rate"]
    first, second = data["points"]
    assert second["change_from_previous_month"] == round(second["value"] - first["value"], 2)
    rows = _csv(client.get(url.replace("/api/series/", "/api/series.csv")))
    assert [row["period"] for row in rows] == [f"{earlier:%Y-%m}", last_month]
    assert all(row["center_code"] == "dongcheng" for row in rows)
    xlsx = client.get(url.replace("/api/series/", "/api/series.xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    department = client.get(url + "&department=scjg").json()
    assert department["points"] and department["points"][0]["department_name"] == "市场监督管理局"
    page = client.get(url.replace("/api/series/", "/data/series/")).content.decode()
    assert "<svg" in page and "chart-series" in page and last_month in page


def test_series_twelve_months_lists_the_missing_ones(client, last_month, django_assert_max_num_queries):
    period = bulletins.parse_period(last_month)
    start = statistics.add_months(period, -11)
    with django_assert_max_num_queries(4):  # the center, the bulletins (a year more for 同比)
        response = client.get(f"/api/series/?center=city&metric=entry_rate&from={start:%Y-%m}&to={last_month}")
    data = response.json()
    assert len(data["points"]) + len(data["missing"]) == 12
    assert data["points"][-1]["period"] == last_month


@pytest.mark.parametrize(
    "query,message",
    [
        ("center=nowhere", "服务中心"),
        ("metric=nothing", "未知的指标"),
        ("from=2026-13", "YYYY-MM"),
        ("department=scjg", "同时指定中心"),
        ("center=city&department=nowhere", "部门"),
        ("from=2026-05&to=2026-01", "不能晚于"),
        ("from=0001-01", "2000"),
        ("center=%00city", "编码"),
        ("center=city&department=%E2%80%AE", "编码"),
    ],
)
def test_series_bad_input_is_a_chinese_400(client, query, message):
    response = client.get(f"/api/series/?{query}")
    assert response.status_code == 400 and message in response.json()["error"]
    assert client.get(f"/data/series/?{query}").status_code == 400


def test_series_data_package_validates(client, last_month, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    descriptor = client.get(
        f"/api/series/datapackage.json?center=dongcheng&metric=same_day_rate&to={last_month}"
    ).json()
    resource = descriptor["resources"][0]
    (tmp_path / "series.csv").write_bytes(client.get(resource["path"].split("testserver", 1)[1]).content)
    resource["path"] = "series.csv"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_data_dictionary_defines_every_metric(client):
    html = client.get("/data/dictionary/").content.decode()
    for text in ("进驻率", "实进事项数 ÷ 应进事项数", "投诉办结率", "center_code", "department_name"):
        assert text in html
