"""热门事项 ranking: item page views (guides/viewcounts.py) plus searches that point at an item.

Run by the `popular-items` schedule every POPULAR_MINUTES (`refresh()`): it flushes the buffered
views into `ItemViewDay`, then rebuilds `ItemPopularity` for the last 30 days in one
transaction. Searches are the weekly counts of search/analytics (QueryStat: query text and a
count, nothing about the visitor); a query counts for the items whose name, short name or
everyday terms contain it (or whose name it contains), shared between them when several items of
a center match, ignored when more than MAX_MATCHES do (too general to say anything).
Score = views + SEARCH_WEIGHT × searches.
"""

import datetime
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from guides import viewcounts
from guides.models import GuidePage
from guides.popularity import WINDOW_DAYS, ItemPopularity, ItemViewDay
from portal import pagecache

from .models import QueryStat, normalise_for_stats, week_start

logger = logging.getLogger(__name__)

SCHEDULE = "popular-items"
FUNC = "search.popular.refresh"
POPULAR_MINUTES = 10
SEARCH_WEIGHT = 2.0  # a search says "I need this" more firmly than a page view
MAX_MATCHES = 20
TOP_QUERIES = 300


def window_start(today=None):
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=WINDOW_DAYS - 1)


def view_counts(since):
    rows = ItemViewDay.objects.filter(day__gte=since).values("page_id").annotate(total=Sum("views"))
    return {row["page_id"]: row["total"] for row in rows}


def query_counts(since):
    """The most searched queries in the weeks that overlap the window."""
    rows = (
        QueryStat.objects.filter(week__gte=week_start(since))
        .values("query")
        .annotate(total=Sum("searches"))
        .order_by("-total", "query")[:TOP_QUERIES]
    )
    return {row["query"]: row["total"] for row in rows}


def _names(item):
    terms = [item["title"], item["short_name"], *str(item["everyday_terms"] or "").replace("，", " ").split()]
    return [normalise_for_stats(term) for term in terms if term and term.strip()]


def search_counts(items, queries):
    """{page_id: searches attributed} from {query: count}."""
    by_center = defaultdict(list)
    for item in items:
        by_center[item["center_id"]].append((item["pk"], _names(item)))
    result = defaultdict(float)
    for query, count in queries.items():
        if len(query) < 2:  # one character (证, 办) matches everything
            continue
        for entries in by_center.values():
            matched = [
                pk
                for pk, names in entries
                if any(query in name for name in names) or (names and len(names[0]) >= 2 and names[0] in query)
            ]
            if not matched or len(matched) > MAX_MATCHES:
                continue
            for pk in matched:
                result[pk] += count / len(matched)
    return result


def rebuild(today=None):
    """Recompute the ranking; returns the number of ranked items."""
    since = window_start(today)
    items = list(GuidePage.objects.live().values("pk", "center_id", "title", "short_name", "everyday_terms"))
    views = view_counts(since)
    searches = search_counts(items, query_counts(since))
    now = timezone.now()
    rows = []
    for item in items:
        seen, searched = views.get(item["pk"], 0), searches.get(item["pk"], 0.0)
        score = seen + SEARCH_WEIGHT * searched
        if score > 0:
            rows.append(
                ItemPopularity(
                    page_id=item["pk"],
                    center_id=item["center_id"],
                    views=seen,
                    searches=searched,
                    score=score,
                    computed_at=now,
                )
            )
    before = shown_signature(ItemPopularity.objects.values_list("page_id", "center_id", "score"))
    with transaction.atomic():
        ItemPopularity.objects.all().delete()
        ItemPopularity.objects.bulk_create(rows, batch_size=1000)
    if shown_signature((row.page_id, row.center_id, row.score) for row in rows) != before:
        # The home and center pages list the leaders: their cached copies go when the list moves
        # (not on every flush, so a busy site keeps its page cache between changes).
        pagecache.bump_now()
    return len(rows)


SHOWN = 12  # more than any list shows (home page, a center's page)


def shown_signature(rows):
    """The leaders a visitor can see: the overall top and each center's top, in order."""
    ordered = sorted(rows, key=lambda row: (-row[2], row[0]))
    per_center = {}
    for page_id, center_id, _score in ordered:
        leaders = per_center.setdefault(center_id, [])
        if len(leaders) < SHOWN:
            leaders.append(page_id)
    return [row[0] for row in ordered[:SHOWN]], per_center


def refresh():
    """The schedule: flush buffered views, then rebuild the ranking."""
    flushed = viewcounts.flush()
    ranked = rebuild()
    logger.info("popular items: %s views flushed, %s items ranked", flushed, ranked)
    return {"views_flushed": flushed, "items_ranked": ranked}
