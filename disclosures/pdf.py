"""Bulletin PDF through WeasyPrint: A4, embedded Noto CJK fonts, cover, contents, page numbers.

Why WeasyPrint: the layout is plain HTML/CSS (paged media: running headers, target-counter for
the table of contents, repeated table headers), the charts are the same SVG as on the web page,
and fonts are subset and embedded so the PDF reads the same everywhere.
"""

import contextlib
import ctypes
import gc

from django.conf import settings
from django.template.loader import render_to_string

TEMPLATE = "disclosures/pdf/bulletin.html"


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
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
    finally:
        _release_memory()
