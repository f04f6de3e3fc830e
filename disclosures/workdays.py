"""Working days (工作日) in Asia/Shanghai, following the Holiday calendar editors maintain.

A day is a working day when it is Monday–Friday and not a holiday, or when a Holiday row marks
it as a make-up working day (调休上班, is_workday=True). Time limits are counted the usual way:
"N working days" ends on the Nth working day after the day of receipt (the receipt day itself is
not counted), so a case is on time when it is completed no later than that day.

Holidays are loaded once per year into a `Calendar` (sorted working-day ordinals, so each
lookup is a bisect rather than a day-by-day walk); the per-process cache is keyed by a version
kept in Django's cache, which every Holiday change bumps, so all web and worker processes see an
editor's change on their next call.
"""

import contextlib
import datetime
import threading
import uuid
from bisect import bisect_right

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from core.timezones import local_date

from .models import Holiday

VERSION_KEY = "disclosures:holidays:version"
_lock = threading.Lock()
_calendars = {}  # version -> Calendar


class Calendar:
    """Working days of the years loaded so far; loads further years on demand."""

    def __init__(self, holidays=None):
        # holidays: optional {date: is_workday} used instead of the database (tests, benchmarks).
        self._fixed = holidays
        self._years = set()
        self._workdays = []  # sorted ordinals of working days in the loaded years

    def _load(self, years):
        missing = sorted(set(years) - self._years)
        if not missing:
            return
        overrides = self._fixed
        if overrides is None:
            rows = Holiday.objects.filter(date__year__in=missing).values_list("date", "is_workday")
            overrides = dict(rows)
        days = set(self._workdays)
        for year in missing:
            day = datetime.date(year, 1, 1)
            end = datetime.date(year + 1, 1, 1)
            while day < end:
                flag = overrides.get(day)
                if flag is None:
                    flag = day.weekday() < 5
                if flag:
                    days.add(day.toordinal())
                day += datetime.timedelta(days=1)
        self._years.update(missing)
        self._workdays = sorted(days)

    def _ensure(self, first, last):
        self._load(range(first.year, last.year + 1))

    def is_workday(self, day):
        day = local_date(day)
        self._ensure(day, day)
        index = bisect_right(self._workdays, day.toordinal())
        return index > 0 and self._workdays[index - 1] == day.toordinal()

    def add_working_days(self, start, days):
        """The day on which `days` working days after `start` end (start itself not counted).

        add_working_days(d, 0) is d (即办件: due the same day).
        """
        start = local_date(start)
        if days <= 0:
            return start
        # Enough years to hold `days` working days (about 250 a year) plus a margin.
        last_year = start.year + 1 + days // 240
        self._load(range(start.year, last_year + 1))
        index = bisect_right(self._workdays, start.toordinal()) + days - 1
        while index >= len(self._workdays):
            last_year += 1
            self._load([last_year])
        return datetime.date.fromordinal(self._workdays[index])

    def working_days_between(self, start, end):
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        start, end = local_date(start), local_date(end)
        if end <= start:
            return 0
        self._ensure(start, end)
        return bisect_right(self._workdays, end.toordinal()) - bisect_right(self._workdays, start.toordinal())


def _version():
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            version = uuid.uuid4().hex
            cache.add(VERSION_KEY, version, timeout=None)
            version = cache.get(VERSION_KEY) or version
        return version
    except Exception:  # noqa: BLE001 — cache down: fall back to a fresh calendar each call
        return None


def get_calendar():
    """The current calendar (shared within a process until a Holiday changes anywhere)."""
    version = _version()
    if version is None:
        return Calendar()
    with _lock:
        calendar = _calendars.get(version)
        if calendar is None:
            _calendars.clear()
            calendar = _calendars[version] = Calendar()
        return calendar


def clear_cache():
    """Forget loaded calendars in every process (a Holiday was added, changed or deleted)."""
    with _lock:
        _calendars.clear()
    with contextlib.suppress(Exception):  # cache down: the local clear above still applies
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def is_workday(day):
    return get_calendar().is_workday(day)


def add_working_days(start, days):
    return get_calendar().add_working_days(start, days)


def working_days_between(start, end):
    return get_calendar().working_days_between(start, end)


def _holiday_changed(**kwargs):
    clear_cache()


def connect_signals():
    """Every Holiday change bumps the calendar version (called in DisclosuresConfig.ready())."""
    post_save.connect(_holiday_changed, sender=Holiday, dispatch_uid="disclosures.workdays.holiday_saved")
    post_delete.connect(_holiday_changed, sender=Holiday, dispatch_uid="disclosures.workdays.holiday_deleted")


# China's official holidays (国务院办公厅 notices) for the demo site and tests:
# (first day, last day, name) days off, and make-up working days (调休上班).
OFFICIAL_HOLIDAYS = {
    2025: {
        "off": [
            ("2025-01-01", "2025-01-01", "元旦"),
            ("2025-01-28", "2025-02-04", "春节"),
            ("2025-04-04", "2025-04-06", "清明节"),
            ("2025-05-01", "2025-05-05", "劳动节"),
            ("2025-05-31", "2025-06-02", "端午节"),
            ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
        ],
        "work": [
            ("2025-01-26", "春节调休上班"),
            ("2025-02-08", "春节调休上班"),
            ("2025-04-27", "劳动节调休上班"),
            ("2025-09-28", "国庆节调休上班"),
            ("2025-10-11", "国庆节调休上班"),
        ],
    },
    2026: {
        "off": [
            ("2026-01-01", "2026-01-03", "元旦"),
            ("2026-02-15", "2026-02-23", "春节"),
            ("2026-04-04", "2026-04-06", "清明节"),
            ("2026-05-01", "2026-05-05", "劳动节"),
            ("2026-06-19", "2026-06-21", "端午节"),
            ("2026-09-25", "2026-09-27", "中秋节"),
            ("2026-10-01", "2026-10-07", "国庆节"),
        ],
        "work": [
            ("2026-01-04", "元旦调休上班"),
            ("2026-02-14", "春节调休上班"),
            ("2026-02-28", "春节调休上班"),
            ("2026-05-09", "劳动节调休上班"),
            ("2026-09-20", "国庆节调休上班"),
            ("2026-10-10", "国庆节调休上班"),
        ],
    },
}


def official_holidays():
    """[(date, name, is_workday)] for every day in OFFICIAL_HOLIDAYS."""
    rows = []
    for spec in OFFICIAL_HOLIDAYS.values():
        for first, last, name in spec["off"]:
            day, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
            while day <= end:
                rows.append((day, name, False))
                day += datetime.timedelta(days=1)
        for date, name in spec["work"]:
            rows.append((datetime.date.fromisoformat(date), name, True))
    return sorted(rows)


def seed_official_holidays():
    """Create the official holiday rows that are missing (editors' changes are kept)."""
    existing = set(Holiday.objects.values_list("date", flat=True))
    new = [Holiday(date=d, name=n, is_workday=w) for d, n, w in official_holidays() if d not in existing]
    Holiday.objects.bulk_create(new, batch_size=500)
    if new:
        clear_cache()
    return len(new)
