"""Headless Chromium (Debian's) through Playwright, with axe-core from npm.

Two ways to get a server:

- ``site_server``: one live server for the whole run on the session-seeded small demo site
  (tests/conftest.py). Tests that only read use it and are marked ``django_db`` (not
  transactional), so pytest-django runs them before any transactional test flushes the database
  and nothing has to be seeded again. Data a test writes in its own transaction is invisible to
  the server: such a test needs the next way.
- pytest-django's ``live_server`` with ``django_db(transaction=True)``: the test commits what it
  needs (it starts from a flushed database and seeds its own data).
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUTPUT = ROOT / "test-results"

# Playwright's sync API runs an event loop in this thread; Django's ORM is used from the same
# thread only between browser calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp only so axe-core can be injected; the CSP itself is tested without a browser.
    context = browser.new_context(bypass_csp=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        bypass_csp=True, locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def site_server(django_db_setup, django_db_blocker):
    """A live server on the session-seeded demo database, shared by the read-only browser tests."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
    yield server
    server.stop()


# WCAG 2.0/2.1 A and AA (color-contrast is a wcag2aa rule) plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page; return violations of the given impacts."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def assert_accessible(page):
    """No serious or critical axe-core violation on the page as it is now."""
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [node["target"] for node in v["nodes"]][:3]) for v in violations]


def screenshot(page, name):
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
