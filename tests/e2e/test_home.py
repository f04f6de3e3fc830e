"""The home page in a real browser: Chinese heading, search, accessibility."""

import pytest

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_has_chinese_heading_and_no_serious_axe_violations(live_server, page, demo_site):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "临江市政务服务中心"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]
    screenshot(page, "home")


def test_skip_link_is_first_and_focus_is_visible(live_server, page, demo_site):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "跳到主要内容"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_home_page_works_on_a_phone_without_horizontal_scroll(live_server, phone_page, demo_site):
    phone_page.goto(live_server.url + "/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert phone_page.locator("#home-q").is_visible()
