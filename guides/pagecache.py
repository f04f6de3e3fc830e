"""The catalog's part of the page cache (portal.pagecache): what its pages show beyond pages.

`current_version` / `bump_version` are the portal's generation, kept under these names for the
callers that cache page parts under it (disclosures' feedback box, FAQ and rating changes).
"""

from portal import pagecache

current_version = pagecache.generation
bump_version = pagecache.bump_all  # questions and ratings show inside cached item bodies


def cached_page(request, render):
    """Render a catalog page, marking it cacheable (portal.pagecache.PageCacheMiddleware)."""
    pagecache.mark_cacheable(request)
    return render()


def connect_signals():
    from .models import FeeBasis, FeeItem, GuideFolderPage, GuideIndexPage, Theme

    pagecache.watch(FeeItem, FeeBasis, Theme)
    pagecache.share(GuideIndexPage, GuideFolderPage)
