"""Bulletin PDF through WeasyPrint: A4, embedded Noto CJK fonts, cover, contents, page numbers.

Why WeasyPrint: the layout is plain HTML/CSS (paged media: running headers, target-counter for
the table of contents, repeated table headers), the charts are the same SVG as on the web page,
and fonts are subset and embedded so the PDF reads the same everywhere.
"""

from django.conf import settings
from django.template.loader import render_to_string

TEMPLATE = "disclosures/pdf/bulletin.html"


def render_html(context):
    return render_to_string(TEMPLATE, {"b": context})


def render_pdf(context):
    """PDF bytes of a bulletin from its presentation context (see bulletins.presentation)."""
    from weasyprint import HTML

    html = render_html(context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
