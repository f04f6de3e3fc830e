"""大字版 (适老化 reading mode) through axe-core in Chromium: the item, home and feedback pages,
switched on with the navigation link as a visitor would (cookie, no JavaScript needed), at
1366 px and on a 390 px phone: no moderate, serious or critical WCAG 2.1 A/AA (or best-practice) violation, no horizontal
scrolling, and the larger text really applies."""

import pytest

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

VIEWPORTS = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


def _item():
    from guides.models import GuidePage

    return GuidePage.objects.live().filter(charges=True).order_by("pk").first()


def _paths():
    item = _item()
    return {
        "item": item.url,
        "home": "/",
        "feedback": f"/feedback/new/?center={item.center.code}&item={item.item_code}",
    }


@pytest.mark.parametrize("width", list(VIEWPORTS))
@pytest.mark.parametrize("name", ["item", "home", "feedback"])
def test_large_text_mode_is_axe_clean(site_server, browser, name, width):
    path = _paths()[name]
    viewport = VIEWPORTS[width]
    context = browser.new_context(bypass_csp=True, locale="zh-CN", viewport=viewport, is_mobile=width == "390")
    try:
        page = context.new_page()
        page.goto(site_server.url + path)
        standard = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        # Switch as a visitor does: the 大字版 link in the navigation.
        with page.expect_navigation():
            page.locator("a[href^='/reading-mode/?mode=large']").first.click()
        assert page.evaluate("document.body.classList.contains('large-text')")
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= standard * 1.2
        assert page.locator("h1").count() == 1
        # Moderate ones too: large-text mode is what the 适老化 guidance is about.
        violations = axe_violations(page, impacts=("moderate", "serious", "critical"))
        assert violations == [], [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"large-{name}-{width}")
    finally:
        context.close()
