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


# --- English mode: fixed Chinese UI text on English pages -----------------------------------
#
# On an English page, Chinese content (titles, item names, disclosures, notices) is marked
# lang="zh-Hans" (portal/content_language.py marks every Chinese run). Fixed interface text must
# be English instead, so the runs are checked as well: a run that is only full-width punctuation
# or digits (“：”, “（）” left in an English label), a year-month period (“2026年11月”), or a
# string of the project's own translation catalog (a fixed label, an item type, a power name, a
# fixed page title such as 办事指南) is fixed text that escaped translation.

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
PERIOD = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{")

# Text nodes with Chinese (Han or full-width punctuation) outside any lang="zh…" element, and the
# texts of the elements marked lang="zh…" (their runs), each with the text of its block (a
# paragraph, list item, cell…) around it.
COLLECT_ENGLISH_PAGE = """() => {
    const cjk = /[\\u3000-\\u303f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uff01-\\uff0f\\uff1a-\\uff20\\uff3b-\\uff40\\uff5b-\\uff65]/;
    const unmarked = [], marked = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const parent = node.parentElement;
        if (!parent || parent.closest('script, style, template')) continue;
        if (!cjk.test(node.textContent)) continue;
        const scoped = parent.closest('[lang]');
        const text = node.textContent.trim();
        const block = parent.closest('p, li, dd, dt, td, th, h1, h2, h3, h4, label, legend, caption, figcaption, option, button, title, text') || parent;
        // translate="no": quoted as it is on purpose (a citation gives the official Chinese title).
        if (parent.closest('[translate="no"]')) continue;
        if (scoped && scoped.getAttribute('lang').toLowerCase().startsWith('zh')) marked.push([text, block.textContent]);
        else unmarked.push(text.slice(0, 80));
    }
    for (const el of document.querySelectorAll('[placeholder], [aria-label], img[alt], [title]')) {
        const scoped = el.closest('[lang]');
        if (scoped && scoped.getAttribute('lang').toLowerCase().startsWith('zh')) continue;
        for (const name of ['placeholder', 'aria-label', 'alt', 'title']) {
            const value = el.getAttribute(name);
            if (value && cjk.test(value)) unmarked.push('@' + name + ': ' + value.slice(0, 80));
        }
    }
    return {unmarked, marked};
}"""


def catalog_strings(path=ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"):
    """The Chinese msgids of the project's English catalog that are whole texts (no placeholders)."""
    found, msgid, current = set(), None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, msgid = "id", [line[6:].strip()]
        elif line.startswith("msgstr "):
            if msgid is not None:
                text = "".join(part[1:-1] for part in msgid).replace('\\"', '"')
                if HAN.search(text) and not PLACEHOLDER.search(text):
                    found.add(text.strip())
            current, msgid = None, None
        elif line.startswith('"') and current == "id":
            msgid.append(line.strip())
    return found


def fixed_chinese(marked, catalog, allowed=()):
    """The marked runs (text, block text) that are fixed interface text rather than content."""
    stray = []
    for text, block in marked:
        if text in allowed:
            continue
        if not HAN.search(text):
            # Full-width punctuation alone: content's own (“周一至周五 9:00—12:00，13:30—17:00”)
            # when Chinese is around it, else part of an English label (“Acceptance：”).
            if not HAN.search(block.replace(text, "", 1)):
                stray.append(f"{text} in “{block.strip()[:60]}”")
        elif PERIOD.search(text):
            stray.append(text)  # a period the English page should spell “November 2026”
        elif text in catalog:
            stray.append(text)
    return sorted(set(stray))
