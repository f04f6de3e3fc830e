"""Guides in a real browser: an item page on a 360 px phone and on a desktop, browse and
life-event pages; axe-core finds no serious or critical violations."""

import pytest

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog(demo_site):
    """Transactional tests run on an emptied database: seed the organisation (demo_site) and
    the small demo catalog (guides part of seed_demo) again."""
    from guides import demo
    from guides.models import GuidePage

    if not GuidePage.objects.exists():
        demo.seed(small=True)
    return GuidePage.objects.live().filter(charges=True).order_by("pk").first()


def assert_no_serious_violations(page):
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_item_page_on_a_phone(live_server, phone_page, catalog):
    phone_page.goto(live_server.url + catalog.url)
    assert phone_page.locator("h1").inner_text() == catalog.title
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"
    phone_page.click("nav.disclosure-nav a[href='#disclosure-4']")
    assert phone_page.evaluate("location.hash") == "#disclosure-4"
    assert phone_page.locator("#disclosure-4").is_visible()
    assert_no_serious_violations(phone_page)
    screenshot(phone_page, "guide-item-phone")


def test_item_page_on_desktop_and_checklist(live_server, page, catalog):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + catalog.url)
    for number in range(1, 9):
        assert page.locator(f"#disclosure-{number} h2").is_visible()
    assert_no_serious_violations(page)
    screenshot(page, "guide-item-desktop")
    page.click("text=打印材料清单")
    assert page.url.endswith("/checklist/")
    boxes = page.locator(".checklist input[type=checkbox]")
    assert boxes.count() == catalog.materials.count()
    boxes.first.check()
    assert boxes.first.is_checked()
    assert_no_serious_violations(page)


def test_browse_filters_without_javascript(live_server, browser, catalog):
    context = browser.new_context(java_script_enabled=False, bypass_csp=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/guides/")
        page.select_option("#filter-center", "city")
        page.select_option("#filter-charges", "1")
        page.click("form.filters button[type=submit]")
        assert "center=city" in page.url and "charges=1" in page.url
        assert page.locator(".result-list > li").count() > 0
    finally:
        context.close()


def test_browse_and_life_event_pages_are_accessible(live_server, page, catalog):
    for path in ["/guides/?audience=person", "/guides/themes/legal/", "/life-events/billiards-room/"]:
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        assert_no_serious_violations(page)
    screenshot(page, "life-event")


def test_browse_on_a_phone(live_server, phone_page, catalog):
    phone_page.goto(live_server.url + "/guides/?center=city")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert_no_serious_violations(phone_page)
