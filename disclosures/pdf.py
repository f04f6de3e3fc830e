"""Bulletin PDF through WeasyPrint: A4, embedded Noto CJK fonts, cover, contents, page numbers.

Why WeasyPrint: the layout is plain HTML/CSS (paged media: running headers, target-counter for
the table of contents, repeated table headers), the charts are the same SVG as on the web page,
and fonts are subset and embedded so the PDF reads the same everywhere.
"""

import contextlib
import ctypes
import gc
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string

TEMPLATE = "disclosures/pdf/bulletin.html"
# Relative URLs in the PDF's HTML resolve against this origin, which exists nowhere: the
# fetcher below answers it from the site's own static and media files and refuses the rest.
SITE_ORIGIN = "https://gongkai.pdf.invalid"


def _site_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SiteFilesFetcher(URLFetcher):
        """Only the site's own static files and public media; no file://, no network.

        Everything in a bulletin PDF is rendered from the page, including the editor's
        narrative: a `<img src="file:///etc/passwd">` or a link to an intranet address in it
        must not be read while the PDF is built.
        """

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != SITE_ORIGIN:
                raise ValueError(f"PDF resource refused (not a site file): {url[:80]}")
            path = unquote(parts.path)
            body = _site_file(path)
            if body is None:
                raise ValueError(f"PDF resource refused: {path[:80]}")
            return URLFetcherResponse(url, body)

    return SiteFilesFetcher


def _site_file(path):
    """Bytes of a static file or a public media file at a site path, else None."""
    from django.contrib.staticfiles import finders
    from django.core.files.storage import default_storage

    if ".." in path.split("/"):
        return None
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path.removeprefix(settings.STATIC_URL))
        if found:
            with open(found, "rb") as handle:
                return handle.read()
        return None
    if path.startswith(settings.MEDIA_URL):
        from portal.media import media_is_public

        name = path.removeprefix(settings.MEDIA_URL)
        if media_is_public(name) and default_storage.exists(name):
            with default_storage.open(name, "rb") as handle:
                return handle.read()
    return None


def url_fetcher():
    """The URL fetcher every PDF of the site is rendered with (SiteFilesFetcher)."""
    return _site_fetcher_class()(timeout=5, allow_redirects=False)


def render_html(context):
    return render_to_string(TEMPLATE, {"b": context})


def _release_memory():
    """Give back the layout's memory (large CJK font tables, boxes) before the next render, so a
    worker building many bulletins in a row stays at the peak of one render."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc only; elsewhere a no-op


def render_pdf(context):
    """PDF bytes of a bulletin from its presentation context (see bulletins.presentation)."""
    from weasyprint import HTML

    html = render_to_string(TEMPLATE, {"b": context})
    try:
        # PDF/UA-1: tagged (structure tree, language, title) so screen readers can read it.
        return HTML(string=html, base_url=SITE_ORIGIN + "/", url_fetcher=url_fetcher()).write_pdf(
            pdf_variant="pdf/ua-1"
        )
    finally:
        _release_memory()
