"""Page cache and HTTP caching of the public pages, on by default (PAGE_CACHE_SECONDS).

What is cached: anonymous GET/HEAD answers of the pages that opt in — every Wagtail page (home,
catalog, item, life event, notices, bulletins: `before_serve_page` hook in portal.wagtail_hooks)
and views decorated with `cacheable` (the fee schedule) — when the answer is a 200 that sets no
cookie, used no CSRF token and carries no message. A visitor with a session cookie (a signed-in
editor) or a pending message is never served from, nor stored in, the cache.

Key: the full URL, the visitor's language, chosen center and reading mode (the only cookies a
public page depends on), the day (fees come into force by date) and a *generation* kept in the
cache. Every change to what public pages show bumps the generation (`bump`, connected to the
signals by the apps: publish, unpublish, move, delete, fee items, centers, departments, themes,
synonyms, lexicon, settings; called by imports and scheduled jobs), so every process serves the
new page at once without deleting keys one by one. The generation is bumped again when the
transaction commits, so a page rendered from not-yet-committed data cannot outlive it.

HTTP: cached pages get an ETag (a digest of the body), Last-Modified (when the entry was
rendered), `Cache-Control: public, max-age=0, s-maxage=PAGE_CACHE_SHARED_SECONDS` (browsers
revalidate, the reverse proxy keeps a micro-cache) and `Vary: Cookie`; a conditional GET with a
matching validator gets 304 without the page being rendered. Anything not cacheable keeps
Django's own headers.
"""

import contextlib
import functools
import hashlib
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from .centerpref import COOKIE as CENTER_COOKIE
from .content_language import visitor_language
from .reading_mode import COOKIE as READING_COOKIE
from .reading_mode import mode_of

GENERATION_KEY = "portal:page-cache-generation"
PAGES, DATA, ROUTES = "pages", "data", "routes"
SKIP_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/api/",
    "/search/",
    "/static/",
    "/media/",
    "/documents/",
    "/healthz",
    "/center/",
    "/reading-mode/",
    "/i18n/",
    "/feedback/",
    "/cases/",
)
# The cookies a cached page may depend on (part of the key): the reverse proxy keys on the same.
VARIANT_COOKIES = (CENTER_COOKIE, READING_COOKIE, settings.LANGUAGE_COOKIE_NAME)
HEADER = "X-Page-Cache"


def enabled():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def shared_cache():
    """Whether the default cache is shared by every process (Redis), not one per process."""
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _generation_file(scope):
    name = f"page-cache-{scope}-{settings.TEST_RUN_ID}" if settings.TESTING else f"page-cache-{scope}"
    return Path(settings.STATE_DIR) / name


class GenerationUnavailable(RuntimeError):
    """The shared cache does not answer: callers serve without their cache (fail open)."""


def generation(scope=PAGES):
    """The current generation of `scope`: in the shared cache (Redis), else in a small file under
    the state folder, so that every web worker and the task cluster of one machine agree on it.

    PAGES covers whole pages (any change to what public pages show); DATA covers what page
    fragments cached per page revision depend on besides their own page (centers, departments,
    fees, themes, settings, holidays, questions and ratings, the catalog's own pages): a publish
    of one item bumps PAGES only, so the other items keep their rendered bodies."""
    if shared_cache():
        key = f"{GENERATION_KEY}:{scope}"
        value = cache.get(key)
        if value is None:
            # Started from the clock, never from 1: after a cache flush the counter cannot come
            # back to a value that rows stored under it (guides' item presentations) still hold.
            cache.add(key, int(time.time() * 1000), None)
            value = cache.get(key)
            if value is None:  # Redis down (django-redis ignores the error): no generation to trust
                raise GenerationUnavailable(scope)
        return value
    try:
        return _generation_file(scope).read_text(encoding="ascii") or "0"
    except FileNotFoundError:
        return "0"


def bump_now(*scopes):
    """Invalidate the given scopes (default: whole pages) now, outside any transaction."""
    for scope in scopes or (PAGES,):
        with contextlib.suppress(Exception):  # cache down: nothing is served from it either
            if not shared_cache():
                path = _generation_file(scope)
                temporary = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
                temporary.write_text(uuid.uuid4().hex, encoding="ascii")
                os.replace(temporary, path)  # atomic: readers see the old or the new value
                continue
            key = f"{GENERATION_KEY}:{scope}"
            try:
                cache.incr(key)
            except ValueError:  # not set yet (or evicted): any new value invalidates
                cache.set(key, int(time.time() * 1000), None)


def _bump(*scopes):
    bump_now(*scopes)
    with contextlib.suppress(Exception):
        transaction.on_commit(lambda: bump_now(*scopes))


def bump(**_kwargs):
    """Invalidate every cached page now and again when the current transaction commits
    (a page rendered meanwhile from the old data cannot outlive the commit). A signal receiver."""
    _bump(PAGES)


def bump_all(**_kwargs):
    """As `bump`, and the fragments cached per page revision too (shared data changed)."""
    _bump(PAGES, DATA)


def bump_routes(**_kwargs):
    """Forget the item routes remembered by guides.item_page (moves, unpublishing, restrictions,
    sites). A signal receiver."""
    _bump(ROUTES)


def mark_cacheable(request):
    request._page_cacheable = True


# Work a page asks for on every visit, cached or not (e.g. counting an item view for 热门事项):
# the view calls serve_event(request, name, value); a cached copy replays the same events.
_SERVE_HOOKS = {}


def register_serve_hook(name, func):
    """`func(request, value)` runs for every visit of a page that recorded `name` (apps' ready())."""
    _SERVE_HOOKS[name] = func


def serve_event(request, name, value):
    """Run the hook `name` for this visit now and remember it for the cached copy of the page."""
    events = getattr(request, "_page_serve_events", None)
    if events is None:
        events = request._page_serve_events = []
    events.append((name, value))
    _run_hook(request, name, value)


def _run_hook(request, name, value):
    hook = _SERVE_HOOKS.get(name)
    if hook is not None:
        with contextlib.suppress(Exception):  # statistics never break a page
            hook(request, value)


def cacheable(view):
    """Decorator: the view's anonymous 200 answers may be cached (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        mark_cacheable(request)
        return view(request, *args, **kwargs)

    return wrapper


def anonymous_read(request):
    """A GET/HEAD from a visitor without a session (not signed in) and without a pending message:
    what it is answered may be shared with other such visitors."""
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies
    )


def _applies(request):
    return enabled() and anonymous_read(request) and not request.path.startswith(SKIP_PREFIXES)


def release():
    """The static files' manifest hash: pages cached before a release point at old file names."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    return getattr(staticfiles_storage, "manifest_hash", "") or ""


def variant(request):
    center = str(request.COOKIES.get(CENTER_COOKIE, "")).strip().lower()[:32]
    return f"{visitor_language(request)}|{mode_of(request) or 'std'}|{center}"


def _key(request, gen):
    url = request.get_full_path()
    day = timezone.localdate().isoformat()
    where = f"{request.scheme}://{request.get_host()}"  # absolute links (JSON-LD, feeds) hold it
    digest = hashlib.sha256(f"{where}{url}|{variant(request)}".encode()).hexdigest()[:40]
    return f"portal:page:{gen}:{release()}:{day}:{digest}"


def _storable(request, response):
    if request.method != "GET" or not getattr(request, "_page_cacheable", False):
        return False
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_USED"):
        return False
    control = response.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-store", "no-cache"))


def _http_headers(response, etag, rendered_at):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(rendered_at)
    shared = getattr(settings, "PAGE_CACHE_SHARED_SECONDS", 10)
    response["Cache-Control"] = f"public, max-age=0, s-maxage={shared}"
    patch_vary_headers(response, ("Cookie",))


class PageCacheMiddleware:
    """Serve and store public pages; answer conditional GETs with 304 (see module docstring).

    Sits above the session, language and CSRF middleware, so it sees every cookie they set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _applies(request):
            return self.get_response(request)
        try:
            key = _key(request, generation())
            hit = cache.get(key)
        except Exception:  # noqa: BLE001 - fail open: render as if there were no cache
            return self.get_response(request)
        if hit is not None:
            headers, body, etag, rendered_at, events = hit if len(hit) == 5 else (*hit, ())
            for name, value in events:
                _run_hook(request, name, value)
            response = HttpResponse(body)
            for name, value in headers:
                response[name] = value
            response[HEADER] = "hit"
        else:
            response = self.get_response(request)
            if not _storable(request, response):
                return response
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            body = response.content
            etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
            rendered_at = int(time.time())
            kept = [(k, v) for k, v in response.items() if k.lower() not in ("content-length", HEADER.lower())]
            with contextlib.suppress(Exception):  # fail open
                events = tuple(getattr(request, "_page_serve_events", ()))
                cache.set(key, (kept, body, etag, rendered_at, events), settings.PAGE_CACHE_SECONDS)
            response[HEADER] = "miss"
        _http_headers(response, etag, rendered_at)
        conditional = get_conditional_response(request, etag=etag, last_modified=rendered_at, response=response)
        return conditional


def watch(*models):
    """Bump the generation whenever one of `models` is saved or deleted (what public pages show)."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        uid = f"portal-pagecache-{model._meta.label_lower}"
        post_save.connect(bump_all, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(bump_all, sender=model, dispatch_uid=f"{uid}-delete", weak=False)


# Page types whose content other pages' cached fragments show (the catalog's index and folders
# in an item's breadcrumbs, the home page): their changes bump DATA too (see `generation`).
SHARED_PAGE_TYPES = set()


def share(*page_classes):
    SHARED_PAGE_TYPES.update(page_classes)


def _page_changed(sender=None, instance=None, **_kwargs):
    if instance is not None and isinstance(getattr(instance, "specific_deferred", instance), tuple(SHARED_PAGE_TYPES)):
        bump_all()
    else:
        bump()


def _page_deleted(sender, instance, **_kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page) and instance.live:
        _page_changed(instance=instance)


def connect_signals():
    """Pages (publish, unpublish, move, delete) and the portal's own models."""
    from django.db.models.signals import post_delete
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .models import Department, HomePage, PortalSettings, ServiceCenter

    page_published.connect(_page_changed, dispatch_uid="portal-pagecache-published", weak=False)
    page_unpublished.connect(_page_changed, dispatch_uid="portal-pagecache-unpublished", weak=False)
    post_page_move.connect(_page_changed, dispatch_uid="portal-pagecache-moved", weak=False)
    share(HomePage)
    post_delete.connect(_page_deleted, dispatch_uid="portal-pagecache-page-deleted", weak=False)
    from wagtail.documents import get_document_model

    # Documents: item pages show a blank form's type and size, notices their attachments.
    watch(ServiceCenter, Department, PortalSettings, get_document_model())
