"""English mode in Chromium (shared ``site_server``): a browser that prefers English still gets the
Chinese site until the visitor switches; after the switch, every piece of Chinese content on the
English pages is marked lang="zh-Hans", the fixed labels are English, and axe stays clean."""

import re

import pytest

from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.english_scan import COLLECT_ENGLISH_PAGE, catalog_strings, fixed_chinese
from tests.e2e.test_accessibility import PAGES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Text nodes with Chinese that are not inside an element whose language is Chinese.
UNMARKED_CHINESE = """() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!/[\\u4e00-\\u9fff]/.test(node.textContent)) continue;
        const parent = node.parentElement;
        if (!parent || parent.closest('script, style')) continue;
        const scoped = parent.closest('[lang]');
        if (!scoped || !scoped.getAttribute('lang').toLowerCase().startsWith('zh')) out.push(node.textContent.trim().slice(0, 60));
    }
    return out;
}"""


def _url(name):
    value = PAGES[name]
    return value() if callable(value) else value


def test_browser_language_alone_keeps_the_chinese_site(site_server, browser):
    context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    page = context.new_page()
    page.goto(site_server.url + "/")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert "搜索" in page.inner_text("header")
    # The visitor chooses English with the footer switch.
    page.select_option("#lang-select", "en")
    with page.expect_navigation():
        page.click(".lang-switch button[type=submit]")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_attribute("#header-q", "placeholder") == "Search, e.g. business licence"
    context.close()


# Content that happens to equal a fixed label of the catalog: the demo item's first step is named
# 受理 (also a power's name), a fee is charged per 件 (also a unit label), a notice's title quotes
# the 一件事一次办 reform (also the life-events page's title).
CONTENT_EQUAL_TO_LABELS = {"item": {"受理"}, "fees": {"件"}, "notices": {"一件事一次办"}}
ENGLISH_PAGES = ["home", "browse", "item", "checklist", "search", "fees", "notices", "notice", "bulletins", "bulletin"]


@pytest.mark.parametrize("name", ENGLISH_PAGES)
def test_english_pages_mark_chinese_content_and_stay_accessible(site_server, browser, name):
    """Chinese content is marked lang="zh-Hans"; no fixed interface text is left in Chinese: no
    unmarked Chinese, no full-width punctuation in English labels, no “2026年11月”, no string of
    the project's catalog (fixed labels, item types, fixed page titles such as 办事指南)."""
    context = browser.new_context(bypass_csp=True, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": site_server.url}])
    page = context.new_page()
    response = page.goto(site_server.url + _url(name))
    assert response.status == 200
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator('[lang="zh-Hans"]').count() > 0
    assert page.evaluate(UNMARKED_CHINESE) == []
    found = page.evaluate(COLLECT_ENGLISH_PAGE)
    assert found["unmarked"] == []
    stray = fixed_chinese(found["marked"], catalog_strings(), allowed=CONTENT_EQUAL_TO_LABELS.get(name, ()))
    assert stray == [], stray
    breadcrumbs = page.locator("nav.breadcrumbs")
    if name in ("browse", "item", "notices", "notice", "bulletins", "bulletin"):
        crumbs = breadcrumbs.inner_text()
        assert "Service guide" in crumbs or "Notices" in crumbs or "bulletin" in crumbs.lower(), crumbs
    if name == "bulletin":
        heading = page.inner_text("h1")  # “Whole city operation bulletin, November 2026”
        assert re.search(
            r"operation bulletin, (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}$",
            heading,
        ), heading
        screenshot(page, "english-bulletin")
    assert_accessible(page)
    if name == "item":
        limits = page.locator("dt:has-text('time limit') + dd").all_inner_texts()
        assert limits and all("working day" in text or text == "Not disclosed" for text in limits), limits
        screenshot(page, "english-item")
    context.close()
