"""Rich text that can never carry raw HTML onto the public site.

Editors type rich text in Draftail, which keeps only the enabled features. Text that arrives
any other way (catalog imports, code that sets a RichTextField, old revisions) goes through
Wagtail's HTML whitelister (`wagtail.whitelist`) before it is stored or rendered:

- `clean_rich_text(html)`: Wagtail's stored rich-text format reduced to what Draftail itself
  writes: paragraphs, headings h2–h4, bold/italic, lists, line breaks, horizontal rules, links
  (internal `linktype` links, or http/https/mailto/tel URLs) and embedded images/documents by
  id. Everything else (`<meta>`, `<script>`, `<style>`, `<iframe>`, `<form>`, event handlers,
  `style=`, `javascript:` URLs) is removed; the text inside unknown tags is kept as text.
- `import_rich_text(value)`: the catalog import's safe subset (docs/catalog-format.md): plain
  text becomes one paragraph per line, escaped; a value starting with `<` may use only
  `p br b strong i em ul ol li h2 h3 h4` (no links, no images: addresses belong in the item's
  URL fields); any other markup is dropped and its text kept.

Both are deterministic and idempotent, so importing the same file twice changes nothing.
"""

from django.utils.html import escape
from wagtail.whitelist import Whitelister, allow_without_attributes, attribute_rule, check_url

__all__ = ["clean_rich_text", "import_rich_text"]

_BLOCK = attribute_rule({"data-block-key": True})
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:", "/", "#")


def _link_url(url):
    url = check_url(url or "")
    if url is None:
        return None
    stripped = url.strip().lower()
    return url if stripped.startswith(_SAFE_SCHEMES) else None


def _link(tag):
    """Internal links keep their linktype/id; external ones only a safe href."""
    linktype = tag.attrs.get("linktype")
    if linktype is not None:
        keep = {"linktype", "id"}
        for name in list(tag.attrs):
            if name not in keep:
                del tag[name]
        return
    attribute_rule({"href": _link_url})(tag)


_EMBED = attribute_rule({"embedtype": True, "id": True, "format": True, "alt": True, "url": _link_url})

_TEXT_RULES = {
    "[document]": allow_without_attributes,
    "p": _BLOCK,
    "br": allow_without_attributes,
    "b": allow_without_attributes,
    "strong": allow_without_attributes,
    "i": allow_without_attributes,
    "em": allow_without_attributes,
    "ul": _BLOCK,
    "ol": _BLOCK,
    "li": _BLOCK,
    "h2": _BLOCK,
    "h3": _BLOCK,
    "h4": _BLOCK,
}


class _StoredRichText(Whitelister):
    element_rules = {**_TEXT_RULES, "hr": allow_without_attributes, "a": _link, "embed": _EMBED}

    def clean_tag_node(self, doc, tag):
        if tag.name in ("script", "style", "template", "noscript", "iframe", "object", "textarea", "title"):
            tag.decompose()  # their text is code, not content
            return
        super().clean_tag_node(doc, tag)


class _ImportedRichText(_StoredRichText):
    element_rules = _TEXT_RULES


def clean_rich_text(html):
    """Stored rich text (Wagtail's database format) with only the allowed elements."""
    if not html:
        return html or ""
    return _StoredRichText().clean(str(html))


def import_rich_text(value):
    """A cell of an import as rich text: plain text escaped, or the safe subset above."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if text.startswith("<"):
        return _ImportedRichText().clean(text).strip()
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())
