"""A shortcut through Wagtail's page routing for the catalog's own URLs.

Wagtail routes /guides/<center>/<department>/<item>/ by walking the tree one level at a time,
two queries per level. The catalog's URLs have a fixed shape, so the page is found by its
url_path in one query (with center and department joined). The result is handed to Wagtail's
own `serve` view through its per-request route cache (guides/wagtail_internals.py), so view restrictions, hooks and
serving are exactly Wagtail's. Anything unexpected (a renamed catalog, a page that is not
there) falls through to the normal routing, which has the final word.
"""

from django.http import Http404
from wagtail import views as wagtail_views
from wagtail.models import Site

from . import item_page
from .models import GuideIndexPage, GuidePage
from .wagtail_internals import cache_route, route_is_cached

CATALOG_SLUG = "guides"


def _root_path(request, site):
    for root in Site.get_site_root_paths():
        if root.site_id == site.pk:
            return root.root_path
    return None


def _fast_route(request, components):
    site = Site.find_for_request(request)
    if site is None:
        return None
    root = _root_path(request, site)
    if root is None:
        return None
    index_path = f"{root}{CATALOG_SLUG}/"
    if len(components) in (3, 4):
        url_path = index_path + "/".join(components[:3]) + "/"
        page = GuidePage.objects.select_related("center", "department").filter(url_path=url_path).first()
        remaining = components[3:]
    elif len(components) in (0, 2):
        page = GuideIndexPage.objects.filter(url_path=index_path).first()
        remaining = components
    else:
        return None
    if page is None:
        return None
    try:
        return page.route(request, remaining)
    except Http404:
        return None


def serve(request, path=""):
    known = item_page.known_route(request)  # an item visited before, unchanged: no routing at all
    if known is not None:
        return known
    components = [part for part in path.split("/") if part]
    full_path = f"{CATALOG_SLUG}/{path}"
    if not route_is_cached(request):
        result = _fast_route(request, components)
        if result is not None:
            cache_route(request, result)
    return wagtail_views.serve(request, full_path)
