"""The Wagtail (and django-treebeard) internals the catalog's fast paths rely on, one function each.

Wagtail has no public API for these; each is wrapped here, once, and
tests/guides/test_wagtail_internals.py fails loudly when an upgrade changes one of them:

- `cache_route(request, route)`: hand a route found by guides/routing.py to Wagtail's own
  `serve` view through the per-request cache `Page.route_for_request` documents
  (`request._wagtail_route_for_request`), so hooks, restrictions and serving stay Wagtail's.
- `extract_references(obj)`, `content_path_hash(path)`: the rows `ReferenceIndex` would write
  for an object, for guides/bulk.py's batched reference index.
- `tree_path(parent_path, depth, position)`, `path_position(step)`: materialised-path steps of
  the page tree (treebeard's MP_Node), for guides/bulk.py's batched page creation.
"""

from wagtail.models import Page, ReferenceIndex

ROUTE_CACHE_ATTRIBUTE = "_wagtail_route_for_request"


def route_is_cached(request):
    return hasattr(request, ROUTE_CACHE_ATTRIBUTE)


def cache_route(request, route):
    """Make `route` ((page, args, kwargs)) what Page.route_for_request returns for this request."""
    setattr(request, ROUTE_CACHE_ATTRIBUTE, route)


def extract_references(obj):
    """(to_content_type_id, to_object_id, model_path, content_path) of each reference in obj."""
    return ReferenceIndex._extract_references_from_object(obj)


def content_path_hash(content_path):
    return ReferenceIndex._get_content_path_hash(content_path)


def tree_path(parent_path, depth, position):
    """The materialised path of the child at `position` (1-based) under `parent_path`."""
    return Page._get_path(parent_path, depth, position)


def path_position(step):
    """The position encoded in one path step (the last Page.steplen characters of a path)."""
    return Page._str2int(step)
