"""Page slugs from Chinese titles: pinyin, trimmed, unique among the page's siblings.

Wagtail's own slug helper keeps Chinese characters (or drops them all), so a notice titled only
in Chinese either gets an unreadable percent-encoded URL or none at all. Here the title is
turned into pinyin syllables joined by hyphens ("关于春节放假的通知" → "guan-yu-chun-jie-fang-jia-
de-tong-zhi"), cut at a syllable boundary, and numbered ("-2", "-3") when a sibling already has it.
Used by the admin page forms (on save when the slug is left empty) and by the admin endpoint the
editor's title field calls as the editor types (static/js/admin-slug.js).
"""

from django.utils.text import slugify

MAX_LENGTH = 60
FALLBACK = "page"


def pinyin_slug(text, max_length=MAX_LENGTH):
    """An ASCII slug for any title: pinyin for Chinese, words kept for Latin letters and digits."""
    from pypinyin import lazy_pinyin  # on save only: its tables (~55 MB) stay out of page-serving workers

    words = []
    for part in lazy_pinyin((text or "").strip()[:200], errors="default"):
        word = slugify(part)
        if word:
            words.append(word)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length].strip("-")
    return slug or FALLBACK


def unique_slug(base, parent, exclude_pk=None):
    """`base`, or `base-2`, `base-3`… — the first one no sibling under `parent` uses."""
    if parent is None:
        return base
    siblings = parent.get_children()
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    taken = set(siblings.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def slug_for(title, parent, exclude_pk=None, item_code=""):
    """The slug a page gets when the editor leaves it empty.

    Service items follow their item code (their public URL is /guides/<center>/<department>/<code>/);
    every other page follows its title.
    """
    base = slugify(item_code) if item_code else ""
    return unique_slug(base or pinyin_slug(title), parent, exclude_pk)
