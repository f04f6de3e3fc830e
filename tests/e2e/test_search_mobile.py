"""The search page on a 390 px phone: results first, facets behind 筛选 (a <details>, so it
works without JavaScript), the other centers behind "其他中心也可办理"."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


@pytest.mark.parametrize("javascript", [True, False])
def test_first_result_is_on_the_first_screen_of_a_phone(site_server, browser, javascript):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=javascript, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    try:
        page.goto(site_server.url + "/search/?q=%E8%BA%AB%E4%BB%BD%E8%AF%81")
        first = page.locator(".search-hit").first
        box = first.bounding_box()
        assert box is not None and box["y"] + 40 < 844, box
        assert not page.locator(".facets-desktop").is_visible()
        toggle = page.locator(".facets-mobile > summary")
        assert toggle.is_visible() and "筛选" in toggle.inner_text()
        assert not page.locator(".facets-mobile .facet").first.is_visible()
        toggle.click()
        assert page.locator(".facets-mobile .facet").first.is_visible()
        others = page.locator(".search-hit .other-centers > summary").first
        others.click()
        assert page.locator(".search-hit .other-centers a").first.is_visible()
    finally:
        context.close()


def test_wide_screen_keeps_the_facet_column(site_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(site_server.url + "/search/?q=%E8%BA%AB%E4%BB%BD%E8%AF%81")
        assert page.locator(".facets-desktop").is_visible()
        assert not page.locator(".facets-mobile").is_visible()
    finally:
        context.close()
