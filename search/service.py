"""What the search page and the JSON API call: the backend plus synonyms, editors' picks,
"did you mean" and weekly analytics. Views stay thin; this never raises for bad input."""

import logging

from django.db import DatabaseError

from . import analysis
from .backends import SearchUnavailable, get_backend
from .backends.base import PER_PAGE, Hit, SearchResults, clean_filters
from .grouping import group_hits
from .synonyms import synonym_map

logger = logging.getLogger(__name__)


def promoted_hits(query, backend):
    """Editors' picks (wagtail.contrib.search_promotions) for this query, first on page 1."""
    from wagtail.contrib.search_promotions.models import SearchPromotion
    from wagtail.search.utils import normalise_query_string

    normalised = normalise_query_string(query)
    if not normalised:
        return []
    try:
        picks = list(
            SearchPromotion.objects.filter(query__query_string=normalised).select_related("page").order_by("sort_order")
        )
    except DatabaseError:
        return []
    hits = []
    for pick in picks:
        page = pick.page
        if page is not None:
            if not page.live:
                continue
            specific = page.specific_deferred
            key = f"{specific._meta.label_lower}:{page.pk}"
            indexed = backend.get([key])
            hit = (
                indexed[0]
                if indexed
                else Hit(key=key, kind="page", title=page.title, url=page.url or "", snippet="", score=0.0)
            )
        elif pick.external_link_url:
            hit = Hit(
                key=f"link:{pick.pk}",
                kind="link",
                title=pick.external_link_text or pick.external_link_url,
                url=pick.external_link_url,
                snippet="",
                score=0.0,
            )
        else:
            continue
        if pick.description:
            from django.utils.html import escape

            hit.snippet = escape(pick.description)
        hit.promoted = True
        hits.append(hit)
    return hits


def did_you_mean(query, backend, limit=1):
    """Nearest item names by pinyin (and character) edit distance, for queries that found nothing."""
    parsed = analysis.parse_query(query)
    text = parsed.cjk_text() or "".join(t.text for t in parsed.terms)
    if not text:
        return []
    is_ascii = text.isascii()
    target = text if is_ascii else analysis.pinyin_full(text)
    if len(target) < 2:
        return []
    scored = []
    for name, name_pinyin in backend.names():
        if not name:
            continue
        candidates = [name_pinyin, analysis.pinyin_initials(name)] if is_ascii else [name_pinyin]
        best = None
        for candidate in candidates:
            if not candidate:
                continue
            # Compare with the part of the name as long as the query, so "yingyezhizao" still
            # finds "营业执照…"-like names and long names are not penalised for their length.
            window = candidate[: len(target) + 2]
            distance = analysis.edit_distance(target, window, limit=max(2, len(target) // 3))
            best = distance if best is None else min(best, distance)
        if best is not None and best <= max(1, len(target) // 4):
            scored.append((best, len(name), name))
    scored.sort()
    return [name for _d, _l, name in scored[:limit]]


def record(query, total):
    from .models import QueryStat

    try:
        QueryStat.record(query, total)
    except DatabaseError:
        logger.warning("search analytics: could not record a query", exc_info=True)


# A backend that cannot group (search.backends.base.SearchBackend.groups) is asked for this many
# hits per page of items, which are then grouped here.
FALLBACK_GROUP_FACTOR = 8


def _grouped_search(backend, query, filters, page, per_page, prefer_center):
    synonyms = synonym_map()
    if getattr(backend, "groups", False):
        return backend.search(
            query,
            filters=filters,
            page=page,
            per_page=per_page,
            synonyms=synonyms,
            group=True,
            prefer_center=prefer_center,
        )
    window = per_page * FALLBACK_GROUP_FACTOR * page
    results = backend.search(query, filters=filters, page=1, per_page=window, synonyms=synonyms)
    items = group_hits(results.hits, prefer_center)
    results.documents = results.total
    results.total = len(items) if results.total <= window else max(len(items), results.total // FALLBACK_GROUP_FACTOR)
    results.hits = items[(page - 1) * per_page : page * per_page]
    results.page, results.per_page, results.grouped = page, per_page, True
    return results


def run_search(query, params=None, page=1, per_page=PER_PAGE, log=True, group=True, prefer_center=""):
    """Search for the public: returns (SearchResults, error message or "").

    Results are grouped by item (search.grouping), the copy in `prefer_center` (the visitor's
    chosen center) shown first; group=False gives one result per document."""
    query = str(query or "")
    filters = clean_filters(params or {})
    try:
        page = max(1, int(page or 1))
    except (TypeError, ValueError):
        page = 1
    try:
        backend = get_backend()
        if group:
            results = _grouped_search(backend, query, filters, page, per_page, prefer_center)
        else:
            results = backend.search(query, filters=filters, page=page, per_page=per_page, synonyms=synonym_map())
            results.documents = results.total
        if page == 1 and analysis.normalize(query).strip():
            picks = promoted_hits(query, backend)
            if picks:
                urls = {hit.url for hit in picks}
                results.hits = picks + [
                    hit for hit in results.hits if hit.url not in urls and not any(c["url"] in urls for c in hit.copies)
                ]
        if results.total == 0 and results.query:
            suggestion = did_you_mean(query, backend)
            results.did_you_mean = suggestion[0] if suggestion else ""
    except SearchUnavailable:
        logger.exception("search backend unavailable")
        return SearchResults(query=analysis.normalize(query).strip()), "unavailable"
    if log and page == 1 and results.query and not filters:
        record(results.query, results.total)
    return results, ""


def suggestions(prefix, limit=8):
    try:
        return get_backend().suggest(prefix, limit=limit)
    except SearchUnavailable:
        return []
