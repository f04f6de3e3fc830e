"""Guides in a real browser: browse filters work without JavaScript.

The item page, checklist, browse, themes and life-event pages are covered by the public journey
(test_public_journey.py) and the accessibility checks (test_accessibility.py), on a desktop and
on a 360 px phone.
"""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_browse_filters_without_javascript(site_server, browser):
    context = browser.new_context(java_script_enabled=False, bypass_csp=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(site_server.url + "/guides/")
        page.select_option("#filter-center", "city")
        page.select_option("#filter-charges", "1")
        page.click("form.filters button[type=submit]")
        assert "center=city" in page.url and "charges=1" in page.url
        assert page.locator(".result-list > li").count() > 0
        assert "收费" in page.locator(".result-list > li .meta").first.inner_text()
    finally:
        context.close()
