"""Bulletin page, archive, JSON API, data files and feed, on the bulletins seed_demo built from
the demo cases (last month, city + dongcheng + the whole city)."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from disclosures import bulletins, statistics
from disclosures.models import BulletinIndexPage, BulletinPage

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def last_month():
    return bulletins.format_period(bulletins.previous_period())


@pytest.fixture
def city_bulletin(last_month):
    return BulletinPage.objects.live().get(center__code="city", period=bulletins.parse_period(last_month))


def test_seed_built_last_months_bulletins_for_every_center_and_the_city(last_month):
    period = bulletins.parse_period(last_month)
    live = BulletinPage.objects.live().filter(period=period)
    assert sorted(page.center.code if page.center else "all" for page in live) == sorted(bulletins.targets())


def test_json_has_the_design_shape_and_the_statistics_figures(client, last_month, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/bulletins/city/{last_month}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    for key in ("center", "period", "counts", "figures", "ranking", "departments"):
        assert key in data
    assert data["center"] == "city" and data["period"] == last_month
    for key in ("received", "completed", "completed_on_time", "completed_same_day", "should_enter", "entered"):
        assert isinstance(data["counts"][key], int)
    assert set(data["counts"]["authorized"]) == {
        "accept",
        "review",
        "coordinate",
        "deliver",
        "litigate",
        "certify",
        "approve",
    }
    assert set(data["figures"]) >= {"on_time_rate", "same_day_rate", "entry_rate", "authorization_rates"}
    assert set(data["ranking"][0]) >= {"center", "name", "completed", "rank"}
    fresh = statistics.compute("city", last_month)
    assert data["counts"] == fresh["counts"]
    assert data["figures"] == fresh["figures"]
    # Every rate can be recomputed from the counts it carries.
    counts = data["counts"]
    assert data["figures"]["on_time_rate"] == statistics.rate(counts["completed_on_time"], counts["completed"])
    assert data["counts"]["completed"] > 0


def test_city_as_a_whole_is_all(client, last_month):
    data = client.get(f"/api/bulletins/all/{last_month}/").json()
    assert data["center"] == "all"
    assert data["counts"] == statistics.compute("all", last_month)["counts"]
    assert [row["rank"] for row in data["ranking"]] == sorted(row["rank"] for row in data["ranking"])


@pytest.mark.parametrize("form", ["{base}.{ext}", "{base}/.{ext}"])
def test_files_are_served_at_the_same_path(client, last_month, form):
    base = f"/api/bulletins/city/{last_month}"
    pdf = client.get(form.format(base=base, ext="pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    csv_response = client.get(form.format(base=base, ext="csv"))
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    xlsx = client.get(form.format(base=base, ext="xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_csv_carries_the_counts_behind_every_rate(client, last_month):
    text = client.get(f"/api/bulletins/city/{last_month}.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:12] == [
        "period",
        "center_code",
        "center_name",
        "department_code",
        "department_name",
        "level",
        "metric",
        "metric_name",
        "numerator",
        "denominator",
        "value",
        "unit",
    ]
    summary = {row["metric"]: row for row in rows if row["level"] == "center" and not row["department_code"]}
    counts = client.get(f"/api/bulletins/city/{last_month}/").json()["counts"]
    assert int(summary["received"]["value"]) == counts["received"]
    on_time = summary["on_time_rate"]
    assert int(on_time["numerator"]) == counts["completed_on_time"]
    assert int(on_time["denominator"]) == counts["completed"]
    assert float(on_time["value"]) == statistics.rate(counts["completed_on_time"], counts["completed"])
    assert int(summary["authorization_rate_approve"]["numerator"]) == counts["authorized"]["approve"]
    departments = [row for row in rows if row["level"] == "department" and row["metric"] == "on_time_rate"]
    assert departments and all(row["denominator"] != "" for row in departments if row["value"] != "")
    assert all(row["center_code"] == "city" and row["center_name"] == "临江市政务服务中心" for row in rows)


def test_xlsx_has_tidy_and_wide_sheets_with_counts_and_definitions(client, last_month):
    content = client.get(f"/api/bulletins/city/{last_month}.xlsx").content
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames == ["整洁数据", "概况", "部门（宽表）", "排名", "趋势", "说明"]
    rows = {row[0]: row for row in workbook["概况"].iter_rows(min_row=2, values_only=True)}
    counts = client.get(f"/api/bulletins/city/{last_month}/").json()["counts"]
    assert rows["received"][2] == counts["received"]
    assert rows["on_time_rate"][3:5] == (counts["completed_on_time"], counts["completed"])
    definitions = [row[0] for row in workbook["说明"].iter_rows(min_row=2, values_only=True)]
    assert "按时办结率" in definitions and "进驻率" in definitions and "投诉办结率" in definitions
    header = next(workbook["部门（宽表）"].iter_rows(max_row=1, values_only=True))
    assert header[:4] == ("中心编码", "中心", "部门编码", "部门")


@pytest.mark.parametrize(
    "path",
    [
        "/api/bulletins/nowhere/2026-10/",
        "/api/bulletins/city/2026-13/",
        "/api/bulletins/city/1999-01/",
        "/api/bulletins/city/2026-10.docx",
        "/api/bulletins/city/",
        "/api/bulletins/nowhere/2026-10.pdf",
    ],
)
def test_unknown_center_or_period_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "通报" in response.json()["error"]


def test_unpublished_bulletins_are_not_public(client, city_bulletin, last_month):
    city_bulletin.unpublish()
    assert client.get(f"/api/bulletins/city/{last_month}/").status_code == 404
    assert client.get(f"/api/bulletins/city/{last_month}.csv").status_code == 404
    listed = client.get("/api/bulletins/?center=city").json()
    assert last_month not in [row["period"] for row in listed["results"]]


def test_list_gives_every_published_bulletin_with_its_urls(client, last_month):
    data = client.get("/api/bulletins/").json()
    assert data["total"] == BulletinPage.objects.live().count()
    entry = next(row for row in data["results"] if row["center"] == "city" and row["period"] == last_month)
    assert entry["json"].endswith(f"/api/bulletins/city/{last_month}/")
    assert entry["pdf"].endswith(f"/api/bulletins/city/{last_month}.pdf")
    assert entry["url"].endswith(f"/bulletins/city-{last_month}/")
    assert entry["published_at"] and entry["revision"]


def test_bulletin_page_shows_figures_counts_charts_definitions_downloads_citation(client, city_bulletin, last_month):
    response = client.get(city_bulletin.url)
    assert response.status_code == 200
    html = response.content.decode()
    counts, figures = city_bulletin.counts, city_bulletin.figures
    assert f"{figures['on_time_rate']:.2f}%" in html
    assert f'<td class="num">{counts["completed_on_time"]}</td><td class="num">{counts["completed"]}</td>' in html
    assert html.count("<svg") == 2 and '<title id="chart-title-' in html and "<desc id=" in html
    for heading in ("指标定义", "各部门办件情况", "各中心办结量排名", "超期、投诉与满意度", "引用本通报"):
        assert heading in html
    for ext in (".pdf", ".csv", ".xlsx"):
        assert f"/api/bulletins/city/{last_month}{ext}" in html
    assert city_bulletin.full_url in html
    assert f"第1版（修订 {city_bulletin.live_revision_id}）" in html
    assert "建议引用格式" in html and "比率对比与排名" in html
    # Strict CSP: no inline scripts or styles.
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)", html)
    assert " style=" not in html and "<style" not in html


def test_archive_filters_by_center_and_year_and_paginates(client, last_month):
    index = BulletinIndexPage.objects.get()
    response = client.get(index.url, {"center": "dongcheng"})
    assert response.status_code == 200
    listed = response.context["bulletins"]
    assert listed and all(page.center and page.center.code == "dongcheng" for page in listed)
    response = client.get(index.url, {"center": "all"})
    assert all(page.center is None for page in response.context["bulletins"])
    year = int(last_month[:4])
    assert all(page.period.year == year for page in client.get(index.url, {"year": year}).context["bulletins"])
    assert client.get(index.url, {"year": "1990"}).context["selected_year"] == ""  # unknown year ignored
    # Many bulletins: pages of 24, filters kept in the page links.
    for n in range(30):
        period = f"{2001 + n // 12}-{n % 12 + 1:02d}-01"
        index.add_child(
            instance=BulletinPage(title=f"全市 {period}", slug=f"all-{period[:7]}", period=period, live=True)
        )
    response = client.get(index.url)
    total = BulletinPage.objects.live().count()
    assert response.context["page_obj"].paginator.count == total
    assert len(response.context["bulletins"]) == 24
    assert 'href="?page=2"' in response.content.decode()
    by_year = client.get(index.url, {"year": 2001, "center": "all"})
    assert len(by_year.context["bulletins"]) == 12
    assert 'href="?center=all&amp;year=2001&amp;page=2"' not in by_year.content.decode()
    assert client.get(index.url, {"page": "999"}).status_code == 200


def test_feed_is_atom_with_permalink_date_and_summary(client, city_bulletin):
    response = client.get("/feeds/bulletins/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == BulletinPage.objects.live().count()
    entry = next(e for e in entries if e.find(f"{ATOM}title").text == city_bulletin.title)
    assert entry.find(f"{ATOM}link").get("href").endswith(city_bulletin.url)
    assert entry.find(f"{ATOM}published").text
    summary = entry.find(f"{ATOM}summary").text
    assert "按时办结率" in summary and f"{city_bulletin.counts['completed_on_time']}/" in summary
