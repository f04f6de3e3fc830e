"""The item page's render path: rendered once per live revision and kept in the cache.

The page cache (portal.pagecache) drops every page when anything is published; an item page
kept here under its own revision survives publishes of other pages, so the miss that follows
costs the routing and one cache read instead of the item's dozen queries and long template.

The key: the page, its live revision and URL path (a publish or move of the item itself), the
DATA generation of portal.pagecache (centers, departments, fees, themes, settings, holidays,
questions and ratings, the catalog's index and folders), the static files' manifest (a release),
the day (fees in force), the request's full URL with host (the JSON-LD's absolute link, the
footer's `next`), the language and the reading mode. Only anonymous GETs without a pending
message use it (as the page cache); never previews or pages that are not live.
"""

import contextlib
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from portal import pagecache


def _key(request, page):
    parts = (
        page.url_path,
        request.build_absolute_uri(),
        pagecache.variant(request),
        pagecache.release(),
        pagecache.generation(pagecache.DATA),
        timezone.localdate().isoformat(),
    )
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:40]
    return f"guides:item-page:{page.pk}:{page.live_revision_id}:{digest}"


def _render(request, page):
    return TemplateResponse(request, page.get_template(request), page.get_context(request))


def render(request, page):
    seconds = getattr(settings, "ITEM_BODY_CACHE_SECONDS", 0)
    if seconds <= 0 or getattr(request, "is_preview", False) or not page.live or not pagecache.anonymous_read(request):
        return _render(request, page)
    try:
        key = _key(request, page)
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - no cache: render every time
        return _render(request, page)
    if found is not None:
        content_type, body = found
        return HttpResponse(body, content_type=content_type)
    response = _render(request, page)
    response.render()
    if response.status_code == 200:
        with contextlib.suppress(Exception):
            cache.set(key, (response["Content-Type"], response.content), seconds)
    return response
