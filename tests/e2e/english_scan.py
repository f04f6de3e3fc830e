"""Find English UI text on an admin page that should be in Chinese (zh-hans).

Visible text nodes and the attributes a user or a screen reader meets (placeholder, title,
aria-label, alt, the value of buttons) are collected in the browser; English words in them are
reported, except what is not interface text: codes and user names (digits, `_`, `-`), acronyms
(PDF, CSV, URL), URLs, e-mail addresses and product names.
"""

import re

COLLECT = """() => {
    const out = [];
    const visible = (el) => !!(el && (el.offsetWidth || el.offsetHeight || el.getClientRects().length));
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const parent = node.parentElement;
        if (!parent || parent.closest('script, style, noscript, template, code, pre, [data-english-ok]')) continue;
        const text = node.textContent.trim();
        if (text && visible(parent)) out.push(text);
    }
    for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], img[alt], input[type=submit], input[type=button]')) {
        if (el.closest('[data-english-ok], template, script')) continue;
        for (const name of ['placeholder', 'title', 'aria-label', 'alt']) {
            const value = el.getAttribute(name);
            if (value && value.trim()) out.push(value.trim());
        }
        if (el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type) && el.value) out.push(el.value);
    }
    out.push(document.title);
    return out;
}"""

TOKEN = re.compile(r"[A-Za-z0-9_.@/:+'’-]+")
ALLOWED = {"wagtail", "gongkai", "pinyin", "javascript"}


def _english_tokens(text, allowed):
    for match in TOKEN.finditer(text):
        token = match.group(0).strip(".:'’-")
        if len(re.sub(r"[^A-Za-z]", "", token)) < 3:
            continue
        if re.search(r"[\d_@/.:+-]", token):  # a code, user name, URL, file name or e-mail address
            continue
        if token.isupper() or token.lower() in allowed:  # PDF, CSV, XLSX; product names
            continue
        yield token


def english_strings(page, allowed=()):
    """Distinct texts on the page, as it is now, that contain English UI words.

    `allowed`: words that are data rather than interface on this page (a user name, say).
    """
    allowed = ALLOWED | {word.lower() for word in allowed}
    return sorted({text for text in page.evaluate(COLLECT) if any(_english_tokens(text, allowed))})
