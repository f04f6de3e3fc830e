"""The item page's render path: the answer kept per live revision, and its route remembered.

1. The answer. The page cache (portal.pagecache) drops every page when anything is published; an
   item page kept here under its own revision survives publishes of other pages. Key: the page,
   its live revision and URL path, the DATA generation of portal.pagecache (centers,
   departments, fees, themes, settings, holidays, the catalog's index and folders), the static
   files' manifest (a release), the day (fees in force), the request's full URL with host (the
   footer's `next`), the language and the reading mode. Questions and ratings change without a
   publish: they bump DATA too (guides.pagecache.bump_version).

2. The route. Finding the page (site, page row, view restrictions: four queries through
   Wagtail's `serve`) depends only on the page tree, so an anonymous visit that got the kept
   answer remembers the route: URL → (page, live revision, url_path), under the ROUTES
   generation read before the page was looked up. The next visit of the same URL answers from
   the kept answer without any query, if the page's live revision is still the remembered one:
   `guides:item-live:<routes>:<pk>` is written by publishing (the new revision), unpublishing and
   deleting (0); a visit only adds it when it is missing, so a visit that read the page before a
   publish cannot bring the old revision back (a publish that is rolled back leaves a revision
   that never goes live: the item is then routed through Wagtail until the next ROUTES bump). Anything that changes routes without publishing the item
   itself (moves, renamed or unpublished folders, view restrictions, sites) bumps ROUTES.

Only anonymous GET/HEAD without a pending message use either (as the page cache); never
previews or pages that are not live.
"""

import contextlib
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from portal import pagecache

from . import viewcounts

ROUTES_ATTRIBUTE = "_guides_routes_generation"
GONE = 0  # the live revision of an unpublished or deleted item


def _seconds():
    return getattr(settings, "ITEM_BODY_CACHE_SECONDS", 0)


def _key(request, pk, revision, url_path):
    parts = (
        url_path,
        request.build_absolute_uri(),
        pagecache.variant(request),
        pagecache.release(),
        pagecache.generation(pagecache.DATA),
        timezone.localdate().isoformat(),
    )
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:40]
    return f"guides:item-page:{pk}:{revision}:{digest}"


def _route_key(request, routes):
    where = f"{request.scheme}://{request.get_host()}{request.path}"
    return f"guides:item-route:{routes}:{hashlib.sha256(where.encode()).hexdigest()[:40]}"


def live_key(pk, routes=None):
    """The item's live revision as publishing wrote it, under the ROUTES generation (a bump
    forgets them all, with the routes)."""
    routes = pagecache.generation(pagecache.ROUTES) if routes is None else routes
    return f"guides:item-live:{routes}:{pk}"


def _render(request, page):
    return TemplateResponse(request, page.get_template(request), page.get_context(request))


def visit(request, pk):
    """What every visit of an item page does, whichever way it is answered: the page may be
    page-cached, and the visit counts for 热门事项 (replayed when the page cache answers)."""
    pagecache.mark_cacheable(request)
    pagecache.serve_event(request, viewcounts.SERVE_EVENT, pk)


def _kept(found):
    content_type, body = found
    return HttpResponse(body, content_type=content_type)


def known_route(request):
    """The kept answer for this URL when its route is remembered and still current, else None
    (then the caller routes through Wagtail). Reads the ROUTES generation first, for `render`."""
    if _seconds() <= 0 or not pagecache.anonymous_read(request):
        return None
    try:
        routes = pagecache.generation(pagecache.ROUTES)
        setattr(request, ROUTES_ATTRIBUTE, routes)
        route = cache.get(_route_key(request, routes))
        if route is None:
            return None
        pk, revision, url_path = route
        if pagecache.shared_cache() and cache.get(live_key(pk, routes)) != revision:
            return None
        found = cache.get(_key(request, pk, revision, url_path))
    except Exception:  # noqa: BLE001 - no cache: route and render as usual
        return None
    if found is None:
        return None
    visit(request, pk)
    return _kept(found)


def _remember_route(request, page):
    routes = getattr(request, ROUTES_ATTRIBUTE, None)
    if routes is None:
        return
    with contextlib.suppress(Exception):
        cache.set(_route_key(request, routes), (page.pk, page.live_revision_id, page.url_path), _seconds())
        cache.add(live_key(page.pk, routes), page.live_revision_id, _seconds())


def render(request, page):
    if (
        _seconds() <= 0
        or getattr(request, "is_preview", False)
        or not page.live
        or not pagecache.anonymous_read(request)
    ):
        return _render(request, page)
    try:
        key = _key(request, page.pk, page.live_revision_id, page.url_path)
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - no cache: render every time
        return _render(request, page)
    if found is not None:
        _remember_route(request, page)
        return _kept(found)
    response = _render(request, page)
    response.render()
    if response.status_code == 200:
        with contextlib.suppress(Exception):
            cache.set(key, (response["Content-Type"], response.content), _seconds())
            _remember_route(request, page)
    return response


# What publishing and the page tree tell the remembered routes (connected by guides' ready()).
# With a cache of its own per process (no Redis), a publish cannot reach the other processes'
# live-revision keys: there, publishing an item bumps ROUTES (a file every process reads) instead.
def _set_live(pk, revision):
    with contextlib.suppress(Exception):  # cache down: nothing is answered from it either
        cache.set(live_key(pk), revision, _seconds())


def _after_commit_too(func):
    from django.db import transaction

    func()
    with contextlib.suppress(Exception):
        transaction.on_commit(func)


def _item_published(sender=None, instance=None, revision=None, **_kwargs):
    if not pagecache.shared_cache():
        pagecache.bump_routes()
        return
    value = getattr(revision, "pk", None) or instance.live_revision_id
    _after_commit_too(lambda: _set_live(instance.pk, value))


def _item_gone(sender=None, instance=None, **_kwargs):
    if pagecache.shared_cache():
        _after_commit_too(lambda: _set_live(instance.pk, GONE))
    pagecache.bump_routes()


def _page_published(sender=None, instance=None, **_kwargs):
    from .models import GuidePage

    if not isinstance(getattr(instance, "specific_deferred", instance), GuidePage):
        pagecache.bump_routes()  # a folder or index renamed: its items' URLs change


def _page_deleted(sender=None, instance=None, **_kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        pagecache.bump_routes()


def connect_signals():
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .models import GuidePage

    page_published.connect(_item_published, sender=GuidePage, dispatch_uid="guides-item-live", weak=False)
    page_published.connect(_page_published, dispatch_uid="guides-routes-published", weak=False)
    page_unpublished.connect(_item_gone, sender=GuidePage, dispatch_uid="guides-item-unpublished", weak=False)
    post_delete.connect(_item_gone, sender=GuidePage, dispatch_uid="guides-item-deleted", weak=False)
    page_unpublished.connect(pagecache.bump_routes, dispatch_uid="guides-routes-unpublished", weak=False)
    post_page_move.connect(pagecache.bump_routes, dispatch_uid="guides-routes-moved", weak=False)
    post_delete.connect(_page_deleted, dispatch_uid="guides-routes-deleted", weak=False)
    for model in (PageViewRestriction, Site):
        uid = f"guides-routes-{model._meta.label_lower}"
        post_save.connect(pagecache.bump_routes, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(pagecache.bump_routes, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
