"""The home page in a real browser: Chinese heading, skip link, phone layout (accessibility:
test_accessibility.py)."""

import pytest

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_home_page_has_chinese_heading(site_server, page):
    page.goto(site_server.url + "/")
    assert page.locator("h1").inner_text() == "临江市政务服务中心"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    screenshot(page, "home")


def test_skip_link_is_first_and_focus_is_visible(site_server, page):
    page.goto(site_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "跳到主要内容"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_home_page_works_on_a_phone_without_horizontal_scroll(site_server, phone_page):
    phone_page.goto(site_server.url + "/")
    width = phone_page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360
    assert phone_page.locator("#home-q").is_visible()
