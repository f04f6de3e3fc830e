"""What the gunicorn master loads before forking its workers (gunicorn.conf.py): the large,
read-only tables every worker needs, so that the workers share them (copy-on-write) instead of
each building its own copy. Needs no database; a part that fails is only logged (the worker
then loads it lazily, as without a warm-up)."""

import logging

from django.template.loader import get_template

from core.registries import warmups

logger = logging.getLogger(__name__)

# The public templates a worker renders first (compiled once, shared).
TEMPLATES = (
    "base.html",
    "guides/guide_page.html",
    "guides/guide_index_page.html",
    "guides/life_event_page.html",
    "portal/home_page.html",
    "portal/notice_index_page.html",
    "portal/notice_page.html",
    "disclosures/bulletin_page.html",
    "disclosures/bulletin_index_page.html",
    "disclosures/fee_schedule.html",
    "search/search.html",
)


def _templates():
    for name in TEMPLATES:
        try:
            get_template(name)
        except Exception:  # noqa: BLE001 - a renamed template is compiled lazily instead
            logger.info("warm-up: no template %s", name)


def warm():
    """The apps' registered warm-ups (search: jieba and its memory-mapped dictionary; not the
    pinyin tables, which most workers never need), then the templates."""
    for part in (*warmups(), _templates):
        try:
            part()
        except Exception:
            logger.exception("warm-up: %s failed", part.__name__)
