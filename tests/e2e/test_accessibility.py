"""Accessibility in Chromium on the session-seeded demo site (shared ``site_server``):

- axe-core (WCAG 2.0/2.1 A and AA, contrast included, plus best practices) finds no serious or
  critical violation on every kind of public page;
- the axe gate itself fails on a page with a contrast violation;
- keyboard only: from the top of an item page, Tab reaches the skip link, the search box and the
  contents, whose links bring each of the eight disclosures into view; every element that takes
  focus shows it.
"""

import pytest

from tests.e2e.conftest import assert_accessible, axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _item():
    from guides.models import GuidePage

    return GuidePage.objects.live().filter(charges=True).order_by("pk").first().url


def _notice():
    from portal.models import NoticePage

    return NoticePage.objects.live().order_by("pk").first().url


def _bulletin():
    from disclosures.models import BulletinPage

    return BulletinPage.objects.live().filter(center__isnull=True).order_by("-period").first().url


PAGES = {
    "home": "/",
    "browse": "/guides/?audience=legal&center=city&charges=1",
    "themes": "/guides/themes/legal/",
    "item": _item,
    "checklist": lambda: _item() + "checklist/",
    "life-event": "/life-events/billiards-room/",
    "search": "/search/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",  # 营业执照
    "fees": "/fees/",
    "notices": "/notices/",
    "notice": _notice,
    "bulletins": "/bulletins/",
    "bulletin": _bulletin,
    "series": "/data/series/?center=city&metric=entry_rate",
    "data-dictionary": "/data/dictionary/",
}


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(site_server, browser, request, name, device):
    """On a desktop and on a 360 px phone (where wide tables scroll and must take focus).

    ``browser`` is requested up front: started inside the test (through getfixturevalue), after
    the test's transaction began, Playwright's greenlet leaves the ORM outside that transaction.
    """
    page = request.getfixturevalue("phone_page" if device == "phone" else "page")
    path = PAGES[name]() if callable(PAGES[name]) else PAGES[name]
    response = page.goto(site_server.url + path)
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    if device == "phone":
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_axe_gate_fails_on_low_contrast_text(site_server, page):
    """The gate is real: grey-on-white text (2.3:1) on a real page is reported as serious."""
    page.goto(site_server.url + "/")
    page.evaluate(
        """() => {
        const p = document.createElement('p');
        p.id = 'low-contrast';
        p.textContent = '对比度不足的文字';
        p.style.color = '#aaaaaa';
        p.style.background = '#ffffff';
        document.querySelector('main').appendChild(p);
    }"""
    )
    violations = axe_violations(page)
    contrast = [v for v in violations if v["id"] == "color-contrast"]
    assert contrast, [v["id"] for v in violations]
    assert contrast[0]["impact"] == "serious"
    assert ["#low-contrast"] in [node["target"] for node in contrast[0]["nodes"]]
    with pytest.raises(AssertionError, match="color-contrast"):
        assert_accessible(page)


FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href') || '',
        text: (el.textContent || '').trim(), inNav: !!el.closest('nav.disclosure-nav'),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none',
    };
}"""


def tab_until(page, predicate, limit=80):
    """Press Tab until the focused element satisfies predicate; return every element focused."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        if predicate(focused):
            return seen
    pytest.fail(f"not reached by {limit} Tab presses; focused: {[(f['tag'], f['id'], f['href']) for f in seen]}")


def test_keyboard_reaches_search_and_every_disclosure(site_server, page):
    url = site_server.url + _item()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(url)

    # Skip link first, then (past the brand link) the search box.
    seen = tab_until(page, lambda f: f["id"] == "header-q")
    assert seen[0]["text"] == "跳到主要内容" and seen[0]["href"] == "#main"
    assert len(seen) <= 3
    assert page.evaluate("document.activeElement === document.querySelector('#header-q')")

    # On through the page to the contents (八公开目录): all eight disclosure links are tabbable.
    seen += tab_until(page, lambda f: f["inNav"] and f["href"] == "#disclosure-8")
    contents = [f["href"] for f in seen if f["inNav"]]
    assert contents == [f"#disclosure-{n}" for n in range(1, 9)]
    # Every element that took focus on the way shows it (outline or box-shadow).
    invisible = [(f["tag"], f["id"], f["href"]) for f in seen if not (f["outline"] or f["shadow"])]
    assert invisible == []

    # Each contents link, reached and followed with the keyboard only, brings its section into view,
    # and the next Tab continues from that section.
    presses = {f["href"]: index + 1 for index, f in enumerate(seen) if f["inNav"]}
    for number in range(1, 9):
        anchor = f"#disclosure-{number}"
        page.goto(url)
        for _ in range(presses[anchor]):
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == anchor
        page.keyboard.press("Enter")
        page.wait_for_function(f"location.hash === '{anchor}'")
        top = page.evaluate(f"document.querySelector('{anchor}').getBoundingClientRect().top")
        assert 0 <= top < 200, f"{anchor} is at {top}px after following its link"
        page.keyboard.press("Tab")
        after = page.evaluate(
            f"""() => {{
            const section = document.querySelector('{anchor}');
            const el = document.activeElement;
            return section.contains(el)
                || !!(section.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
        }}"""
        )
        assert after, f"Tab after {anchor} went back before the section"
