"""Titles of the fixed index pages (办事指南, 通知公告, …), which the site creates itself: they are
interface text, not content, so the English interface shows them in English (breadcrumbs,
headings, the window title). Any other page title is the editors' content and stays as written
(marked lang="zh-Hans" on English pages by portal/content_language.py)."""

from django.utils.translation import gettext, gettext_noop

FIXED_TITLES = frozenset(
    {
        gettext_noop("办事指南"),
        gettext_noop("通知公告"),
        gettext_noop("运行情况通报"),
        gettext_noop("一件事一次办"),
        gettext_noop("收费目录"),
    }
)


def display_title(title):
    """The title as shown: a fixed index page's title in the interface language, others as they are.

    `title` is a string or a page; a page with an ``interface_title()`` (a generated bulletin)
    gives its own."""
    builder = getattr(title, "interface_title", None)
    if callable(builder):
        return builder()
    page_title = getattr(title, "title", None)
    text = str(page_title if isinstance(page_title, str) else title)
    return gettext(text) if text in FIXED_TITLES else text
