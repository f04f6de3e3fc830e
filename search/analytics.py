"""Weekly search report for editors: top queries, queries that found nothing, and the to-do list
of queries that found nothing or almost nothing and have no synonym yet."""

import datetime

from django.db.models import Sum

from .models import QueryStat, week_start


def weeks(limit=12):
    return list(QueryStat.objects.order_by("-week").values_list("week", flat=True).distinct()[:limit])


def report(week=None, limit=30):
    week = week_start(week) if week else week_start()
    stats = QueryStat.objects.filter(week=week)
    totals = stats.aggregate(searches=Sum("searches"), no_results=Sum("no_results"))
    return {
        "week": week,
        "week_end": week + datetime.timedelta(days=6),
        "searches": totals["searches"] or 0,
        "no_results": totals["no_results"] or 0,
        "top": list(stats.order_by("-searches", "query")[:limit]),
        "zero": list(stats.filter(no_results__gt=0).order_by("-no_results", "query")[:limit]),
    }


# A query that found at most this many results counts as "almost nothing" on the to-do list.
FEW_RESULTS = 2


def todo(week=None, synonyms=None, limit=50):
    """Queries of the week that found nothing or at most FEW_RESULTS, most searched first,
    without the ones a synonym already covers (an editor has dealt with them)."""
    from django.db.models import Q

    week = week_start(week) if week else week_start()
    covered = set(synonyms or {})
    rows = (
        QueryStat.objects.filter(week=week)
        .filter(Q(no_results__gt=0) | Q(last_total__lte=FEW_RESULTS))
        .order_by("-searches", "query")
    )
    out = []
    for stat in rows[: limit * 3]:
        if stat.query in covered:
            continue
        out.append(stat)
        if len(out) >= limit:
            break
    return out
