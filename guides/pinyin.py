"""Pinyin keys for the A–Z list: the item name's initial letter and a sort key.

Stored on the page (filled on save) rather than computed per request, so the A–Z counts are a
GROUP BY in SQL and the list sorts by pinyin in the database without loading every title.
pypinyin is imported when a key is computed (on save), never to serve a page.
"""

OTHER = "#"
LETTERS = [chr(code) for code in range(ord("A"), ord("Z") + 1)]


def pinyin_keys(title):
    """(initial, sort_key) for an item name: ("Y", "yingyezhizhao") for 营业执照.

    Phrase context (the whole name) picks the right reading of polyphonic first characters,
    e.g. 重新 → chongxin. Names starting with a digit or symbol get "#".
    """
    title = (title or "").strip()
    if not title:
        return OTHER, ""
    from pypinyin import lazy_pinyin  # at save time only: its tables stay out of web workers

    syllables = lazy_pinyin(title[:60], errors="default")
    sort_key = "".join(syllables).lower()[:255]
    first = sort_key[:1].upper()
    return (first if first in LETTERS else OTHER), sort_key
