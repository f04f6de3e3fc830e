"""Helpers for the bulletin tests: a statistics result in the DESIGN.md shape, for build tests
that must not depend on case data, and a switch to use it."""

import datetime

from disclosures import bulletin_tables as tables


def fake_stats(center, period, received=650, completed=650, on_time=499, same_day=130):
    """A statistics dict with known counts (76.77 % on time for 499 of 650, as in DESIGN.md)."""
    if isinstance(period, str):
        year, month = map(int, period.split("-"))
        period = datetime.date(year, month, 1)
    authorized = {code: 100 + i for i, code in enumerate(tables.POWER_CODES)}
    counts = {
        "received": received,
        "completed": completed,
        "completed_on_time": on_time,
        "completed_same_day": same_day,
        "should_enter": 200,
        "entered": 180,
        "authorized": authorized,
    }
    figures = {
        "on_time_rate": tables.rate(on_time, completed),
        "same_day_rate": tables.rate(same_day, completed),
        "entry_rate": tables.rate(180, 200),
        "authorization_rates": {code: tables.rate(n, 180) for code, n in authorized.items()},
    }
    ranking = [
        {"center": "city", "name": "临江市政务服务中心", "completed": completed, "rank": 1},
        {"center": "dongcheng", "name": "东城区政务服务中心", "completed": completed // 2, "rank": 2},
    ]
    departments = [
        {
            "code": "scjg",
            "name": "市场监督管理局",
            "received": received,
            "completed": completed,
            "completed_on_time": on_time,
            "completed_same_day": same_day,
            "on_time_rate": tables.rate(on_time, completed),
            "same_day_rate": tables.rate(same_day, completed),
        }
    ]
    trend = []
    for back in range(11, -1, -1):
        month = (period.year * 12 + period.month - 1) - back
        trend.append(
            {"period": f"{month // 12:04d}-{month % 12 + 1:02d}", "received": received, "completed": completed}
        )
    return {
        "center": center,
        "period": f"{period:%Y-%m}",
        "counts": counts,
        "figures": figures,
        "ranking": ranking,
        "departments": departments,
        "overdue": completed - on_time,
        "complaints": 3,
        "satisfaction": {"good": 400, "neutral": 50, "bad": 10},
        "trend": trend,
    }


def empty_stats(center, period):
    stats = fake_stats(center, period, received=0, completed=0, on_time=0, same_day=0)
    stats["figures"].update({"on_time_rate": None, "same_day_rate": None})
    stats["departments"] = []
    stats["ranking"] = []
    stats["overdue"] = 0
    stats["complaints"] = 0
    stats["satisfaction"] = {"good": 0, "neutral": 0, "bad": 0}
    return stats
