"""The public's journey in Chromium, on a desktop and on a 360 × 740 phone: search 营业执照 from
the home page, open the item, read the eight disclosures, open the material checklist, download a
blank form; then browse 法人办事 → a theme → an item.

Runs on the session-seeded demo site through the shared ``site_server`` (nothing is seeded
again); the demo links a blank form (XLSX) to every application-form material (…申请书 / …申请表).
"""

import openpyxl
import pytest

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SECTIONS = ["项目名称", "办理程序", "设立依据", "申报材料", "承诺时限", "收费标准", "收费依据", "窗口权限"]


def _document_at(href):
    """The Wagtail document behind a /documents/<id>/<name> link."""
    from wagtail.documents import get_document_model

    document_id = int(href.split("/documents/", 1)[1].split("/", 1)[0])
    return get_document_model().objects.get(pk=document_id)


def fits(page, width):
    """No horizontal overflow: the page is no wider than the screen."""
    if width is None:
        return
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


def public_journey(page, server, tmp_path, width=None):

    # Home: search 营业执照 with the big search box.
    page.goto(server.url + "/")
    fits(page, width)
    page.fill("#home-q", "营业执照")
    page.locator("form.big-search button[type=submit]").click()
    page.wait_for_url("**/search/?q=*")
    assert page.locator("#search-q").input_value() == "营业执照"
    assert "营业执照" in page.locator(".search-summary").inner_text()
    fits(page, width)

    # Open the first item among the results.
    hit = page.locator("ol.search-results li.search-hit").filter(has_text="办事指南").first.locator("h3 a")
    title = hit.inner_text()
    hit.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == title
    fits(page, width)

    # The eight disclosures, each a section with an anchored heading, linked from the contents.
    for number, label in enumerate(SECTIONS, start=1):
        heading = page.locator(f"section#disclosure-{number} > h2#disclosure-{number}-title")
        assert heading.count() == 1, f"disclosure {number} missing"
        assert label in heading.inner_text()
        assert page.locator(f"nav.disclosure-nav a[href='#disclosure-{number}']").count() == 1
    page.locator("nav.disclosure-nav a[href='#disclosure-4']").click()
    assert page.evaluate("location.hash") == "#disclosure-4"
    assert page.locator("#disclosure-4").is_visible()
    assert page.locator("#disclosure-4 a[download]").filter(has_text="空白表格").count() >= 1
    materials = page.locator("#disclosure-4 table.materials tbody tr").count()
    assert materials >= 1

    # The material checklist, and a blank form downloaded from it.
    page.get_by_role("link", name="打印材料清单", exact=True).click()
    page.wait_for_url("**/checklist/")
    assert page.locator("h1").inner_text() == f"{title} 材料清单"
    boxes = page.locator(".checklist input[type=checkbox]")
    assert boxes.count() == materials
    boxes.first.check()
    assert boxes.first.is_checked()
    fits(page, width)
    form_link = page.locator(".checklist a[download]").filter(has_text="空白表格").first
    assert "XLSX" in form_link.inner_text()
    form_href = form_link.get_attribute("href")
    with page.expect_download() as info:
        form_link.click()
    download = info.value
    assert download.failure() is None
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".xlsx"
    assert saved.stat().st_size > 0
    document = _document_at(form_href)
    with document.file.open("rb") as stored:
        assert saved.read_bytes() == stored.read()
    title = openpyxl.load_workbook(saved, read_only=True)["申请表"]["A1"].value
    assert document.title == f"{title}（空白表格）"

    # Browse: 法人办事 → a theme → an item.
    page.goto(server.url + "/")
    page.locator("a.audience-card", has_text="法人办事").click()
    page.wait_for_url("**/guides/?audience=legal")
    fits(page, width)
    theme = page.locator("ul.theme-grid a", has_text="设立变更")
    theme.click()
    page.wait_for_url("**theme=setup*")
    assert "audience=legal" in page.url
    chips = page.locator("ul.chips").inner_text()
    assert "设立变更" in chips
    fits(page, width)
    first = page.locator(".result-list > li h2 a").first
    item_title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == item_title
    assert "设立变更" in page.locator("#disclosure-1").inner_text()
    assert page.locator("#disclosure-8 h2").is_visible()
    fits(page, width)


def test_public_journey(site_server, page, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    public_journey(page, site_server, tmp_path)
    screenshot(page, "public")


def test_public_journey_on_a_phone(site_server, phone_page, tmp_path):
    public_journey(phone_page, site_server, tmp_path, width=360)
    screenshot(phone_page, "public-phone")
