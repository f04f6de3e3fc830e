"""Layout defects a tester found on the public site, checked in Chromium at 1366 px and on a
390 px phone: /api/docs/ does not scroll sideways (long paths wrap, field tables scroll in their
own box); the bulletin trend chart's axis text stays at least 12 px and its labels never touch;
大字版 enlarges everything rem-sized (tags, footer, heading) and hides the skip link entirely;
the links under a life event are apart and its table headings are on one line."""

import contextlib

import pytest

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

VIEWPORTS = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


@contextlib.contextmanager
def _page(browser, width):
    """A fresh browser context at `width` and a page in it; closed afterwards."""
    context = _context(browser, width)
    try:
        yield context, context.new_page()
    finally:
        context.close()


def _context(browser, width):
    viewport = VIEWPORTS[width]
    return browser.new_context(bypass_csp=True, locale="zh-CN", viewport=viewport, is_mobile=width == "390")


def _set_cookies(context, url, **cookies):
    context.add_cookies([{"name": name, "value": value, "url": url} for name, value in cookies.items()])


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_api_docs_fit_the_screen(site_server, browser, width):
    with _page(browser, width) as (context, page):
        page.goto(site_server.url + "/api/docs/")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= VIEWPORTS[width]["width"]
        # Every field table stays inside the page; one wider than the screen scrolls in its box.
        boxes = page.evaluate(
            "[...document.querySelectorAll('.table-scroll')].map(e => [e.getBoundingClientRect().right, "
            "e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX])"
        )
        assert boxes and all(right <= VIEWPORTS[width]["width"] + 0.5 for right, *_rest in boxes)
        assert all(overflow == "auto" for *_rest, overflow in boxes)
        # Field names are never broken in the middle.
        broken = page.evaluate(
            "[...document.querySelectorAll('.dictionary-table th[scope=row] code')]"
            ".filter(c => c.getClientRects().length > 1).map(c => c.textContent)"
        )
        assert broken == []
        violations = axe_violations(page)
        assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        screenshot(page, f"api-docs-{width}")


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_trend_chart_text_is_readable(site_server, browser, width):
    with _page(browser, width) as (context, page):
        page.goto(site_server.url + "/bulletins/")
        href = page.locator("main a[href^='/bulletins/']").filter(has_text="年").first.get_attribute("href")
        page.goto(site_server.url + href)
        chart = page.locator("svg.chart-trend")
        chart.scroll_into_view_if_needed()
        sizes = page.evaluate(
            """() => {
              const svg = document.querySelector('svg.chart-trend');
              const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
            }"""
        )
        assert sizes and min(sizes) >= 12, sizes
        # Axis labels on the same line never overlap.
        overlaps = page.evaluate(
            """() => {
              const rows = {};
              for (const t of document.querySelectorAll('svg.chart-trend text[class^=chart-axis]')) {
                const r = t.getBoundingClientRect();
                (rows[Math.round(r.top)] ||= []).push([r.left, r.right]);
              }
              let bad = 0;
              for (const spans of Object.values(rows)) {
                spans.sort((a, b) => a[0] - b[0]);
                for (let i = 1; i < spans.length; i++) if (spans[i][0] < spans[i - 1][1]) bad++;
              }
              return bad;
            }"""
        )
        assert overlaps == 0
        assert page.evaluate("document.scrollingElement.scrollWidth") <= VIEWPORTS[width]["width"]
        screenshot(page, f"bulletin-chart-{width}")


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_large_text_mode_enlarges_rem_sized_parts_and_hides_the_skip_link(site_server, browser, width):
    from guides.models import GuidePage

    item = GuidePage.objects.live().order_by("pk").first()
    measure = """() => {
      const size = s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize);
      const skip = document.querySelector('.skip-link').getBoundingClientRect();
      return {tag: size('.tag'), footer: size('.site-footer'), h1: size('h1'), skipBottom: skip.bottom};
    }"""
    with _page(browser, width) as (context, page):
        page.goto(site_server.url + item.url)
        standard = page.evaluate(measure)
        _set_cookies(context, site_server.url, reading_mode="large")
        page.goto(site_server.url + item.url)
        large = page.evaluate(measure)
        for part in ("tag", "footer", "h1"):
            assert large[part] >= standard[part] * 1.2, (part, standard, large)
        assert large["tag"] >= 16 and large["footer"] >= 18
        assert large["skipBottom"] <= 0  # no sliver of the skip link at the top
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('.skip-link').getBoundingClientRect().top") >= 0
        screenshot(page, f"large-item-top-{width}")


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_life_event_links_apart_and_headings_on_one_line(site_server, browser, width):
    from guides.models import LifeEventPage

    event = LifeEventPage.objects.live().order_by("pk").first()
    with _page(browser, width) as (context, page):
        page.goto(site_server.url + event.url)
        gaps = page.evaluate(
            """() => {
              const links = [...document.querySelectorAll('.feedback-links a')].map(a => a.getBoundingClientRect());
              const gaps = [];
              for (let i = 1; i < links.length; i++)
                if (Math.abs(links[i].top - links[i - 1].top) < 4) gaps.push(links[i].left - links[i - 1].right);
              return gaps;
            }"""
        )
        assert gaps and min(gaps) >= 12, gaps
        heights = page.evaluate(
            "[...document.querySelectorAll('table.merged-materials th')].map(th => "
            "[th.textContent, th.getBoundingClientRect().height, parseFloat(getComputedStyle(th).lineHeight)])"
        )
        for text, height, line in heights:
            assert height < 2 * line, (text, height, line)
        screenshot(page, f"life-event-{width}")
