"""Weekly search report for editors: top queries and queries that found nothing."""

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
