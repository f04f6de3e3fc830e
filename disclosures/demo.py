"""Demo data for disclosures: official holidays, a year of believable cases, the bulletin archive.

Cases are generated per center and month for the twelve months before the current one, with
deterministic random numbers (same run, same cases) and written with bulk_create in batches.
A (center, month) that already has cases is skipped, so seed_demo stays idempotent and cheap
to re-run. Volumes follow item popularity (a few items get most cases), 即办件 are nearly all
done the same day, promised items are ~97% on time, complaints are rare and ratings mostly good.
"""

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone

from core import timezones
from guides.choices import HANDLING_IMMEDIATE
from guides.models import GuidePage
from portal.models import ServiceCenter

from . import workdays
from .imports import derive
from .models import Case
from .statistics import add_months, month_bounds

BATCH_SIZE = 5000
# Cases per month: the city's own center is busier than the county and district centers. Chosen so
# the full demo (~70,000 cases) seeds in well under two minutes even on SQLite on a busy machine.
MONTHLY_VOLUME = {ServiceCenter.LEVEL_CITY: 1500}
DEFAULT_MONTHLY_VOLUME = 600
SMALL_MONTHLY_VOLUME = 150


def _months(today):
    first = today.replace(day=1)
    return [add_months(first, offset) for offset in range(-12, 0)]


def _items(center):
    rows = (
        GuidePage.objects.live()
        .filter(center=center)
        .order_by("pk")
        .values_list("pk", "item_code", "department_id", "promised_days", "statutory_days", "handling_type")
    )
    items = []
    for pk, code, department_id, promised, statutory, handling in rows:
        if promised is None:
            promised = statutory
        if promised is None and handling == HANDLING_IMMEDIATE:
            promised = 0
        items.append((pk, code, department_id, promised, handling == HANDLING_IMMEDIATE))
    return items


def _month_cases(center, items, weights, month, volume, calendar, now):
    """The cases received in one month at one center (a list of unsaved Case objects)."""
    rng = random.Random(f"cases/{center.code}/{month:%Y-%m}")
    tz = timezones.local_tz()
    start, end = month_bounds(month)
    days = []
    day = month
    while day < end.date():
        days.append((day, calendar.is_workday(day)))
        day += datetime.timedelta(days=1)
    day_weights = [1.0 if is_workday else 0.08 for _day, is_workday in days]  # online cases on days off
    seasonal = 1.0 + 0.12 * ((month.month * 7) % 5 - 2) / 2  # some months are busier
    count = max(1, int(volume * seasonal * rng.uniform(0.93, 1.07)))
    chosen_items = rng.choices(items, weights=weights, k=count)
    chosen_days = rng.choices(days, weights=day_weights, k=count)
    cases = []
    for seq, (item, (day, is_workday)) in enumerate(zip(chosen_items, chosen_days, strict=True), start=1):
        pk, code, department_id, promised, immediate = item
        channel = Case.CHANNEL_ONLINE if (not is_workday or rng.random() < 0.38) else Case.CHANNEL_WINDOW
        received_at = datetime.datetime.combine(
            day, datetime.time(rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59)), tzinfo=tz
        )
        roll = rng.random()
        status, completed_at = Case.STATUS_COMPLETED, None
        if roll < 0.008:
            status = Case.STATUS_RETURNED
            completed_at = received_at + datetime.timedelta(hours=rng.randint(1, 48))
        elif immediate or promised == 0:
            if roll < 0.975:  # done while the applicant waits
                completed_at = received_at + datetime.timedelta(minutes=rng.randint(5, 120))
            else:  # finished a few days later: overdue
                finish = calendar.add_working_days(day, rng.randint(1, 3))
                completed_at = datetime.datetime.combine(finish, datetime.time(rng.randint(9, 17)), tzinfo=tz)
        else:
            limit = promised or 5
            if roll < 0.1:
                finish = day  # 当场办结
            elif roll < 0.975:
                finish = calendar.add_working_days(day, rng.randint(1, limit))
            else:
                finish = calendar.add_working_days(day, limit + rng.randint(1, 4))
            hour = max(received_at.hour + 1, 9) if finish == day else rng.randint(9, 17)
            completed_at = datetime.datetime.combine(
                finish, datetime.time(min(hour, 17), rng.randint(0, 59)), tzinfo=tz
            )
        if completed_at is not None and completed_at > now:
            status, completed_at = Case.STATUS_RECEIVED, None  # still in progress today
        due_date, on_time, same_day = derive(calendar, received_at, completed_at, status, promised)
        satisfaction = None
        if status == Case.STATUS_COMPLETED and rng.random() < 0.8:
            mood = rng.random()
            late = on_time is False
            if mood < (0.80 if late else 0.965):
                satisfaction = Case.SATISFACTION_GOOD
            elif mood < (0.93 if late else 0.992):
                satisfaction = Case.SATISFACTION_NEUTRAL
            else:
                satisfaction = Case.SATISFACTION_BAD
        complaint = rng.random() < (0.02 if on_time is False else 0.0015)
        case_no = f"{center.code.upper()}{month:%Y%m}{seq:06d}"
        cases.append(
            Case(
                case_no=case_no,
                # Demo only: the applicant's phone ends in the case number's last four digits, so
                # anyone trying the site can look a case up (README, "Demo data").
                phone_last4=case_no[-4:],
                center_id=center.pk,
                item_id=pk,
                item_code=code,
                department_id=department_id,
                channel=channel,
                received_at=received_at,
                completed_at=completed_at,
                status=status,
                promised_days=promised,
                due_date=due_date,
                completed_on_time=on_time,
                completed_same_day=same_day,
                satisfaction=satisfaction,
                complaint=complaint,
            )
        )
    return cases


def seed_cases(small=False, today=None, stdout=None):
    """A year of cases for every center with items; returns the number of cases created."""
    today = today or timezone.localdate()
    now = timezone.now()
    calendar = workdays.get_calendar()
    created = 0
    for center in ServiceCenter.objects.order_by("sort_order", "code"):
        items = _items(center)
        if not items:
            continue
        rng = random.Random(f"popularity/{center.code}")
        # A few items are very popular (Zipf-like by a shuffled rank), 即办件 a little more so.
        ranks = list(range(1, len(items) + 1))
        rng.shuffle(ranks)
        weights = [(1.0 / rank**0.9) * (1.5 if item[4] else 1.0) for rank, item in zip(ranks, items, strict=True)]
        volume = SMALL_MONTHLY_VOLUME if small else MONTHLY_VOLUME.get(center.level, DEFAULT_MONTHLY_VOLUME)
        for month in _months(today):
            start, end = month_bounds(month)
            if Case.objects.filter(center=center, received_at__gte=start, received_at__lt=end).exists():
                continue
            cases = _month_cases(center, items, weights, month, volume, calendar, now)
            with transaction.atomic():
                Case.objects.bulk_create(cases, batch_size=BATCH_SIZE, ignore_conflicts=True)
            created += len(cases)
    return created


def seed(stdout=None, small=False):
    started = time.monotonic()
    holidays = workdays.seed_official_holidays()
    from . import bulletins

    bulletins.bulletin_index()
    created = seed_cases(small=small)
    # The bulletin code may build the demo bulletins from these cases.
    seed_bulletins = getattr(bulletins, "seed_demo", None)
    if seed_bulletins is not None:
        seed_bulletins(stdout=stdout, small=small)
    if stdout:
        stdout.write(
            f"disclosures: {holidays} holidays, {created} cases created ({Case.objects.count()} in all) "
            f"in {time.monotonic() - started:.1f} s"
        )
