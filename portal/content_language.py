"""Language done right for a site whose content exists only in Chinese.

- The interface language is the visitor's choice (the footer switch sets Django's language
  cookie), never guessed from the browser's Accept-Language: a browser set to English must not
  get `lang="en"` on pages whose content is Chinese. VisitorLanguageMiddleware replaces Django's
  LocaleMiddleware for that.
- In the English interface the content stays Chinese (titles, item names, disclosures, notices).
  ChineseContentMiddleware marks every run of Chinese text in an English page with
  `<span lang="zh-Hans">…</span>` (an <option> or SVG text, which hold no <span>, get the
  attribute themselves), so screen readers read it with a Chinese voice. Text inside <script>, <style>,
  <title>, <textarea> and attribute values is left alone.
"""

import re
from html.parser import HTMLParser

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

CHINESE = "zh-hans"
# A run of Chinese: starts with a Han character or CJK punctuation, may go on through Han, CJK and
# full-width punctuation, digits and spaces, and ends on a Han character or CJK punctuation.
CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
RUN = re.compile(rf"[{CJK}](?:[{CJK}0-9０-９A-Za-z·\s.%\-]*[{CJK}])?")
SKIP = {"script", "style", "title", "textarea", "option", "head", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def visitor_language(request):
    """The language the visitor chose with the switch, or the site's own (Chinese)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    supported = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in supported else settings.LANGUAGE_CODE


class VisitorLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        translation.activate(visitor_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The language depends on the cookie, not on Accept-Language (no language URL prefixes here).
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class _Finder(HTMLParser):
    """Offsets (start, end) of text runs in Chinese outside the elements in SKIP."""

    def __init__(self, source):
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0]
        for match in re.finditer("\n", source):
            self.line_starts.append(match.end())
        self.stack = []
        self.runs = []
        self.starts = []  # (offset, has lang) of each open element's start tag, parallel to stack
        self.options = {}  # start-tag offset -> tag name, for elements to mark with lang="zh-Hans"

    def _offset(self):
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
            self.starts.append((self._offset(), any(name in ("lang", "xml:lang") for name, _value in attrs)))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack:
                self.starts.pop()
                if self.stack.pop() == tag:
                    break

    def handle_data(self, data):
        if not RUN.search(data):
            return
        if self.stack and (self.stack[-1] == "option" or "svg" in self.stack):
            # An option, or SVG text, holds no <span>: the element itself says its language.
            offset, has_lang = self.starts[-1]
            if not has_lang:
                self.options[offset] = self.stack[-1]
            return
        if any(tag in SKIP for tag in self.stack):
            return
        start = self._offset()
        for match in RUN.finditer(data):
            self.runs.append((start + match.start(), start + match.end()))


def mark_chinese(html):
    """`html` with every run of Chinese text wrapped in <span lang="zh-Hans">."""
    finder = _Finder(html)
    finder.feed(html)
    finder.close()
    if not finder.runs and not finder.options:
        return html
    edits = [(start, end, "run") for start, end in finder.runs]
    edits += [(start, start + 1 + len(tag), tag) for start, tag in finder.options.items()]
    parts, last = [], 0
    for start, end, kind in sorted(edits):
        if start < last:
            continue
        parts.append(html[last:start])
        if kind != "run":
            parts.append(f'{html[start:end]} lang="zh-Hans"')
        else:
            parts.append(f'<span lang="zh-Hans">{html[start:end]}</span>')
        last = end
    parts.append(html[last:])
    return "".join(parts)


class ChineseContentMiddleware:
    """In the English interface, mark Chinese content with its language (public pages only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            translation.get_language() == CHINESE
            or request.path.startswith(("/admin/", "/django-admin/"))
            or response.streaming
            or response.status_code != 200
            or "text/html" not in response.get("Content-Type", "")
        ):
            return response
        charset = response.charset or "utf-8"
        response.content = mark_chinese(response.content.decode(charset)).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
