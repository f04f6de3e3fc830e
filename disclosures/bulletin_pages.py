"""Behaviour of the bulletin pages (templates, routes, panels, context) as mixins.

disclosures/models.py holds the pages' fields (one migration history for the app) and mixes
these classes in before wagtail's Page, so anything defined here (content_panels, template,
parent_page_types, get_context, RoutablePageMixin routes via subclassing, ...) takes effect
without a migration. Owned by the bulletin code; keep imports of disclosures.models lazy (inside
functions) to avoid an import cycle.
"""


class BulletinIndexPageMixin:
    """The archive page (/bulletins/): filters, listing, feed link."""


class BulletinPageMixin:
    """One bulletin: page, PDF and data files."""
