"""The journalist's journey in Chromium: archive → last month's bulletin → PDF, CSV, XLSX.

Runs on the session-seeded demo site (shared ``site_server``): ``seed_demo`` builds and publishes
last month's bulletins from the demo cases.
"""

import csv
import io
import subprocess

import openpyxl
import pytest

from disclosures import bulletins
from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


@pytest.fixture
def published():
    """Last month's bulletin for the city center, as seed_demo published it."""
    from disclosures.models import BulletinPage

    return BulletinPage.objects.live().get(period=bulletins.previous_period(), center__code="city")


def _figure(page, key):
    return page.locator(f'table.bulletin-summary tr[data-key="{key}"] td').first.inner_text().replace(",", "")


def test_journalist_downloads_last_months_bulletin(site_server, page, published, tmp_path):
    page.goto(site_server.url + "/bulletins/")
    assert page.locator("h1").inner_text() == "运行情况通报"
    assert_accessible(page)
    screenshot(page, "bulletin-archive")

    page.select_option("#bulletin-center", "city")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=published.title).click()
    assert page.locator("h1").inner_text() == published.title
    label = bulletins.period_label(published.period)
    assert label in page.locator("h1").inner_text()
    received = int(_figure(page, "received"))
    completed = int(_figure(page, "completed"))
    assert received > 0 and completed > 0  # the demo cases, counted
    assert page.locator("svg.chart-bars title").first.text_content() == "各中心办结量"
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="PDF 版").click()
    pdf_path = tmp_path / "bulletin.pdf"
    info.value.save_as(pdf_path)
    text = "".join(
        subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, check=True, text=True).stdout.split()
    )
    assert "临江市政务服务中心" in text and label in text

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV 数据").click()
    csv_path = tmp_path / "bulletin.csv"
    info.value.save_as(csv_path)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    summary = {row["metric"]: row for row in rows if row["level"] != "department" and row["center_code"] == "city"}
    assert int(summary["received"]["value"]) == received
    assert int(summary["completed"]["value"]) == completed
    assert int(summary["on_time_rate"]["denominator"]) == completed

    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX 数据").click()
    xlsx_path = tmp_path / "bulletin.xlsx"
    info.value.save_as(xlsx_path)
    sheet = openpyxl.load_workbook(xlsx_path, read_only=True)["概况"]
    values = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["received"] == received and values["completed"] == completed
    screenshot(page, "journalist")  # the journalist journey's last page: the bulletin


def test_bulletin_page_works_on_a_phone(site_server, phone_page, published):
    phone_page.goto(site_server.url + published.url)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360


def test_journalist_sorts_the_comparison_and_reads_a_series(site_server, page, phone_page):
    """The city's bulletin: sort the centers by 进驻率 with a header link (no JavaScript needed),
    then a center's series page with its chart; both accessible and usable on a phone."""
    from disclosures.models import BulletinPage

    city_wide = BulletinPage.objects.live().get(period=bulletins.previous_period(), center__isnull=True)
    page.goto(site_server.url + city_wide.url)
    table = page.locator('table.bulletin-comparison[data-kind="centers"]')
    table.get_by_role("link", name="进驻率").click()
    page.wait_for_url("**sort=entry_rate**")
    values = [text.strip() for text in table.locator('td[data-metric="entry_rate"] .cmp-value').all_inner_texts()]
    numbers = [float(v.rstrip("%")) for v in values if v != "—"]
    assert numbers and numbers == sorted(numbers, reverse=True)
    assert table.locator("th[aria-sort]").count() == 1
    assert_accessible(page)
    screenshot(page, "bulletin-comparison")

    page.goto(site_server.url + "/data/series/?center=dongcheng&metric=entry_rate")
    assert page.locator("svg.chart-series").count() == 1
    assert page.locator("table.series-table tbody tr").count() >= 1
    assert_accessible(page)
    screenshot(page, "series")

    for path in (city_wide.url, "/data/series/?center=dongcheng&metric=entry_rate", "/data/dictionary/"):
        phone_page.goto(site_server.url + path)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360, path
