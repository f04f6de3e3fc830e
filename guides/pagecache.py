"""Cache of anonymous GET responses for the item and browse pages (PAGE_CACHE_SECONDS > 0).

Entries are keyed by a version number kept in the cache; publishing or unpublishing any page
(or changing a fee item or theme) bumps it, so every process sees fresh pages at once without
deleting keys one by one. The CSRF token of the footer's language form is swapped for the
visitor's own on every hit.
"""

import contextlib
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

VERSION_KEY = "guides:page-cache-version"
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
_PLACEHOLDER = b"__GONGKAI_CSRF__"


def enabled():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def current_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, None)
        version = cache.get(VERSION_KEY) or 1
    return version


def bump_version(**_kwargs):
    """Signal receiver: invalidate every cached page."""
    with contextlib.suppress(Exception):  # cache down: nothing is cached either
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not set yet (or evicted): any new value invalidates
            cache.set(VERSION_KEY, 2, None)


def _cacheable(request):
    if request.method != "GET" or not enabled():
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _key(request, version):
    from portal.centerpref import COOKIE

    # Browse lists show the visitor's chosen center first: one entry per chosen center; the
    # reading mode (portal.reading_mode) changes the page too.
    path = request.get_full_path() + "|" + str(request.COOKIES.get(COOKIE, ""))[:32]
    digest = hashlib.sha256(path.encode()).hexdigest()[:32]
    mode = "large" if request.COOKIES.get("reading_mode") == "large" else "std"
    return f"guides:page:{version}:{get_language()}:{mode}:{digest}"


def cached_page(request, render):
    """Serve `render()` (returning a response) through the page cache when it applies."""
    if not _cacheable(request):
        return render()
    try:
        version = current_version()
        key = _key(request, version)
        hit = cache.get(key)
    except Exception:  # noqa: BLE001 - fail open
        return render()
    if hit is not None:
        status, content_type, body = hit
        if _PLACEHOLDER in body:
            body = body.replace(_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(body, status=status, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        return response
    response = render()
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if response.status_code == 200 and not response.streaming and not response.cookies.get("sessionid"):
        body = _TOKEN.sub(rb"\1" + _PLACEHOLDER + rb"\3", response.content)
        with contextlib.suppress(Exception):  # fail open
            cache.set(key, (response.status_code, response["Content-Type"], body), settings.PAGE_CACHE_SECONDS)
        response["X-Page-Cache"] = "miss"
    return response


def connect_signals():
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished

    from .models import FeeItem, Theme

    page_published.connect(bump_version, dispatch_uid="guides-pagecache-published")
    page_unpublished.connect(bump_version, dispatch_uid="guides-pagecache-unpublished")
    for model in (FeeItem, Theme):
        post_save.connect(bump_version, sender=model, dispatch_uid=f"guides-pagecache-save-{model.__name__}")
        post_delete.connect(bump_version, sender=model, dispatch_uid=f"guides-pagecache-delete-{model.__name__}")
