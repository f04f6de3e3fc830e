"""Monthly figures for a center or the whole city, aggregated in the database.

Every figure is a GROUP BY with conditional counts (Count(..., filter=Q(...))) over the case
and item tables; no case is ever loaded into Python, so the cost depends on the indexes, not on
memory. Rates are computed here from the counts, which are returned alongside, so a reader can
recompute every rate (DESIGN.md "Bulletin figures").

Definitions used for a month M (Asia/Shanghai calendar month):
- received 受理量: cases whose received_at falls in M (any status, returned ones included);
- completed 办结量: cases with status completed whose completed_at falls in M;
- completed_on_time / completed_same_day: of those, the ones flagged at import (completed on or
  before the due date in working days; completed on the day received);
- overdue 超期件: completed in M after the due date, plus cases still open at the end of M (not
  completed by then, not returned) whose due date had passed;
- complaints 投诉: complaints received in M through the portal (disclosures.feedback.stats:
  the form and 差评 follow-ups) plus cases received in M flagged as complaints by the approval
  system; complaints_completed: the flagged cases completed by the end of M plus the portal
  complaints answered in M (投诉办结率 = complaints_completed / complaints); `complaints_detail` keeps both parts and the portal complaints answered in M and
  overdue at the end of M, per department too;
- satisfaction 满意度: ratings of cases completed in M; rate = good / rated;
- should_enter 应进 / entered 实进: live items of the center that must be handled in the center,
  and of those, the ones that are; authorized[power]: entered items whose window holds the power;
- ranking: every center by completed cases in M (ties share a rank);
- centers (the whole city only): every center's counts side by side, the same keys as a
  department row, so rates can be compared across centers (disclosures.comparison);
- trend: received, completed and on-time rate for the twelve months ending with M.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from core.timezones import local_tz
from guides.choices import POWER_CODES, power_field
from guides.models import GuidePage
from portal.models import Department, ServiceCenter

from .feedback.stats import complaint_counts
from .models import Case

ALL = "all"


class StatisticsError(ValueError):
    """Bad input (unknown center, malformed period); the message is fit for an editor."""


def rate(numerator, denominator):
    """Percentage rounded half-up to two decimals (76.77 for 499 of 650); None when denominator is 0."""
    if not denominator:
        return None
    value = (Decimal(numerator or 0) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def parse_period(period):
    """A date (any day of the month) or 'YYYY-MM' -> the first day of that month."""
    if isinstance(period, datetime.datetime):
        period = period.date()
    if isinstance(period, datetime.date):
        return period.replace(day=1)
    text = str(period or "").strip()
    try:
        year, month = text.split("-")
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        raise StatisticsError(_("统计月份“%(value)s”格式不正确，应为 YYYY-MM。") % {"value": text[:20]})


def add_months(day, months):
    """The first day of the month `months` after (or before) the month of `day`."""
    return day.replace(day=1) + relativedelta(months=months)


def month_bounds(first_day):
    """[start, end) of a calendar month as aware datetimes in Asia/Shanghai."""
    tz = local_tz()
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(add_months(first_day, 1), datetime.time.min, tzinfo=tz)
    return start, end


def _scope(center):
    return Q(center_id=center.pk) if center else Q()


def _by_key(rows, key=("center_id", "department_id")):
    return {tuple(row[k] for k in key): row for row in rows}


def _case_counts(center, start, end):
    """Per (center, department): received, complaints, completed and its flags, satisfaction, overdue."""
    scope = _scope(center)
    received = (
        Case.objects.filter(scope, received_at__gte=start, received_at__lt=end)
        .values("center_id", "department_id")
        .annotate(
            n_received=Count("id"),
            n_complaints=Count("id", filter=Q(complaint=True)),
            n_complaints_completed=Count(
                "id", filter=Q(complaint=True, status=Case.STATUS_COMPLETED, completed_at__lt=end)
            ),
        )
        .order_by()
    )
    completed = (
        Case.objects.filter(scope, completed_at__gte=start, completed_at__lt=end, status=Case.STATUS_COMPLETED)
        .values("center_id", "department_id")
        .annotate(
            # Annotation names must differ from the model's fields (completed_on_time ...).
            n_completed=Count("id"),
            n_on_time=Count("id", filter=Q(completed_on_time=True)),
            n_same_day=Count("id", filter=Q(completed_same_day=True)),
            n_late=Count("id", filter=Q(completed_on_time=False)),
            n_good=Count("id", filter=Q(satisfaction=Case.SATISFACTION_GOOD)),
            n_neutral=Count("id", filter=Q(satisfaction=Case.SATISFACTION_NEUTRAL)),
            n_bad=Count("id", filter=Q(satisfaction=Case.SATISFACTION_BAD)),
        )
        .order_by()
    )
    # Open at the end of the month (still open now, or completed later) and past the due date.
    open_past_due = (
        Case.objects.filter(scope, received_at__lt=end, due_date__lt=end.date())
        .filter(
            Q(status=Case.STATUS_RECEIVED, completed_at__isnull=True)
            | Q(status=Case.STATUS_COMPLETED, completed_at__gte=end)
        )
        .values("center_id", "department_id")
        .annotate(n_open_past_due=Count("id"))
        .order_by()
    )
    merged = {}
    for rows in (received, completed, open_past_due):
        for row in rows:
            key = (row.pop("center_id"), row.pop("department_id"))
            merged.setdefault(key, {}).update({name[2:]: value for name, value in row.items()})
    return merged


def _item_counts(center):
    """Per (center, department): should_enter, entered and authorized counts of live items."""
    entered = Q(should_enter=True, entered=True)
    annotations = {  # names differ from the model's fields, or filters would refer to them
        "n_should_enter": Count("pk", filter=Q(should_enter=True)),
        "n_entered": Count("pk", filter=entered),
    }
    for code in POWER_CODES:
        annotations[f"n_power_{code}"] = Count("pk", filter=entered & Q(**{power_field(code): True}))
    rows = (
        GuidePage.objects.live()
        .filter(_scope(center))
        .values("center_id", "department_id")
        .annotate(**annotations)
        .order_by()
    )
    return {
        (row.pop("center_id"), row.pop("department_id")): {name[2:]: value for name, value in row.items()}
        for row in rows
    }


def _ranking(center, start, end, case_counts, centers):
    if center is None:
        completed = {}
        for (center_id, _department_id), row in case_counts.items():
            completed[center_id] = completed.get(center_id, 0) + row.get("completed", 0)
    else:
        completed = dict(
            Case.objects.filter(completed_at__gte=start, completed_at__lt=end, status=Case.STATUS_COMPLETED)
            .values_list("center_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    ordered = sorted(centers, key=lambda c: (-completed.get(c.pk, 0), c.sort_order, c.code))
    ranking, rank, previous = [], 0, None
    for position, item in enumerate(ordered, start=1):
        value = completed.get(item.pk, 0)
        if value != previous:
            rank, previous = position, value
        ranking.append({"center": item.code, "name": item.name, "completed": value, "rank": rank})
    return ranking


def _trend(center, period):
    """Received, completed and on-time counts for the 12 months ending with `period` (two queries)."""
    months = [add_months(period, offset) for offset in range(-11, 1)]
    bounds = [month_bounds(month) for month in months]
    scope = _scope(center)
    received_annotations = {
        f"r{i}": Count("id", filter=Q(received_at__gte=s, received_at__lt=e)) for i, (s, e) in enumerate(bounds)
    }
    received = Case.objects.filter(scope, received_at__gte=bounds[0][0], received_at__lt=bounds[-1][1]).aggregate(
        **received_annotations
    )
    completed_annotations = {}
    for i, (s, e) in enumerate(bounds):
        in_month = Q(completed_at__gte=s, completed_at__lt=e)
        completed_annotations[f"c{i}"] = Count("id", filter=in_month)
        completed_annotations[f"t{i}"] = Count("id", filter=in_month & Q(completed_on_time=True))
    completed = Case.objects.filter(
        scope, completed_at__gte=bounds[0][0], completed_at__lt=bounds[-1][1], status=Case.STATUS_COMPLETED
    ).aggregate(**completed_annotations)
    trend = []
    for i, month in enumerate(months):
        done, on_time = completed[f"c{i}"] or 0, completed[f"t{i}"] or 0
        trend.append(
            {
                "period": f"{month:%Y-%m}",
                "received": received[f"r{i}"] or 0,
                "completed": done,
                "completed_on_time": on_time,
                "on_time_rate": rate(on_time, done),
            }
        )
    return trend


def _sum(rows, key):
    return sum(row.get(key, 0) or 0 for row in rows)


def subject_counts(case_rows, item_rows):
    """The counts and rates of one subject (a department, a center) from its aggregate rows.

    The same keys for departments and centers, so every rate can be compared side by side and
    recomputed from the counts next to it."""
    completed = _sum(case_rows, "completed")
    on_time, same_day = _sum(case_rows, "on_time"), _sum(case_rows, "same_day")
    should_enter, entered = _sum(item_rows, "should_enter"), _sum(item_rows, "entered")
    authorized = {code: _sum(item_rows, f"power_{code}") for code in POWER_CODES}
    good = _sum(case_rows, "good")
    rated = good + _sum(case_rows, "neutral") + _sum(case_rows, "bad")
    complaints, complaints_completed = _sum(case_rows, "complaints"), _sum(case_rows, "complaints_completed")
    return {
        "received": _sum(case_rows, "received"),
        "completed": completed,
        "completed_on_time": on_time,
        "completed_same_day": same_day,
        "on_time_rate": rate(on_time, completed),
        "same_day_rate": rate(same_day, completed),
        "overdue": _sum(case_rows, "late") + _sum(case_rows, "open_past_due"),
        "complaints": complaints,
        "complaints_completed": complaints_completed,
        "complaint_resolution_rate": rate(complaints_completed, complaints),
        "should_enter": should_enter,
        "entered": entered,
        "entry_rate": rate(entered, should_enter),
        "authorized": authorized,
        "authorization_rates": {code: rate(n, entered) for code, n in authorized.items()},
        "satisfaction_good": good,
        "satisfaction_rated": rated,
        "satisfaction_rate": rate(good, rated),
    }


def with_portal_complaints(counts, portal_rows):
    """A subject's counts with the complaints made through the portal (disclosures.feedback)
    added: received ones count as complaints, answered ones as completed."""
    received, answered = _sum(portal_rows, "received"), _sum(portal_rows, "answered")
    counts["complaints"] += received
    counts["complaints_completed"] += answered
    counts["complaint_resolution_rate"] = rate(counts["complaints_completed"], counts["complaints"])
    counts["complaints_answered"] = answered
    counts["complaints_overdue"] = _sum(portal_rows, "overdue")
    return counts


def _center_rows(centers, case_counts, item_counts, complaints=None):
    """Every center's counts side by side (for the whole city's bulletin)."""
    cases_by_center, items_by_center, portal_by_center = {}, {}, {}
    for (center_id, _department_id), row in case_counts.items():
        cases_by_center.setdefault(center_id, []).append(row)
    for (center_id, _department_id), row in item_counts.items():
        items_by_center.setdefault(center_id, []).append(row)
    for (center_id, _department_id), row in (complaints or {}).items():
        portal_by_center.setdefault(center_id, []).append(row)
    return [
        {
            "code": center.code,
            "name": center.name,
            **with_portal_complaints(
                subject_counts(cases_by_center.get(center.pk, []), items_by_center.get(center.pk, [])),
                portal_by_center.get(center.pk, []),
            ),
        }
        for center in centers
    ]


def compute(center="all", period=None):
    """All bulletin figures for one center (its code) or "all" (every center together) and a month.

    compute(center: str | ServiceCenter | None, period: date | "YYYY-MM") -> dict

    `None` and "all" both mean the whole city. The result has the DESIGN.md shape of
    /api/bulletins/<center>/<YYYY-MM>/:
      {"center": code | "all", "center_name", "period": "YYYY-MM",
       "counts": {"received", "completed", "completed_on_time", "completed_same_day",
                  "should_enter", "entered", "authorized": {power: n}},
       "figures": {"on_time_rate", "same_day_rate", "entry_rate", "authorization_rates": {power: rate}},
       "ranking": [{"center", "name", "completed", "rank"}],
       "departments": [{"code", "name", "center", "center_name", **subject_counts(), "complaints_answered",
                        "complaints_overdue"}],
       "centers": [{"code", "name", **subject_counts()}] (the whole city only, else []),
       "overdue": n, "overdue_detail": {"completed_late", "open_past_due"}, "complaints": n,
       "complaints_completed": n, "complaints_detail": {"cases", "received", "answered", "overdue"},
       "satisfaction": {"good", "neutral", "bad", "rated", "rate"},
       "trend": [{"period", "received", "completed", "completed_on_time", "on_time_rate"}] (12, oldest first),
       "has_cases": bool}
    Rates are percentages with two decimals, None when the denominator is zero.
    Raises StatisticsError for an unknown center or a malformed period. About ten queries.
    """
    first_day = parse_period(period)
    if isinstance(center, ServiceCenter):
        center_obj = center
    elif center in (None, "", ALL):
        center_obj = None
    else:
        center_obj = ServiceCenter.objects.filter(code=str(center).strip().lower()).first()
        if center_obj is None:
            raise StatisticsError(_("找不到编码为“%(code)s”的服务中心。") % {"code": str(center)[:40]})
    start, end = month_bounds(first_day)

    centers = list(ServiceCenter.objects.order_by("sort_order", "code"))
    center_by_id = {c.pk: c for c in centers}
    case_counts = _case_counts(center_obj, start, end)
    complaints = complaint_counts(center_obj, start, end)
    item_counts = _item_counts(center_obj)
    departments = Department.objects.filter(_scope(center_obj)).order_by("center__sort_order", "center__code", "code")

    department_rows = []
    all_case_rows, all_item_rows = list(case_counts.values()), list(item_counts.values())
    for department in departments:
        key = (department.center_id, department.pk)
        owner = center_by_id.get(department.center_id)
        portal_complaints = complaints.get(key, {})
        department_rows.append(
            {
                "code": department.code,
                "name": department.name,
                "center": owner.code if owner else "",
                "center_name": owner.name if owner else "",
                **with_portal_complaints(
                    subject_counts([case_counts.get(key, {})], [item_counts.get(key, {})]), [portal_complaints]
                ),
            }
        )

    received = _sum(all_case_rows, "received")
    completed = _sum(all_case_rows, "completed")
    on_time = _sum(all_case_rows, "on_time")
    same_day = _sum(all_case_rows, "same_day")
    completed_late = _sum(all_case_rows, "late")
    open_past_due = _sum(all_case_rows, "open_past_due")
    should_enter = _sum(all_item_rows, "should_enter")
    entered = _sum(all_item_rows, "entered")
    authorized = {code: _sum(all_item_rows, f"power_{code}") for code in POWER_CODES}
    good, neutral, bad = (_sum(all_case_rows, key) for key in ("good", "neutral", "bad"))
    rated = good + neutral + bad

    return {
        "center": center_obj.code if center_obj else ALL,
        "center_name": center_obj.name if center_obj else _("全市"),
        "period": f"{first_day:%Y-%m}",
        "counts": {
            "received": received,
            "completed": completed,
            "completed_on_time": on_time,
            "completed_same_day": same_day,
            "should_enter": should_enter,
            "entered": entered,
            "authorized": authorized,
        },
        "figures": {
            "on_time_rate": rate(on_time, completed),
            "same_day_rate": rate(same_day, completed),
            "entry_rate": rate(entered, should_enter),
            "authorization_rates": {code: rate(n, entered) for code, n in authorized.items()},
        },
        "ranking": _ranking(center_obj, start, end, case_counts, centers),
        "centers": _center_rows(centers, case_counts, item_counts, complaints) if center_obj is None else [],
        "departments": department_rows,
        "overdue": completed_late + open_past_due,
        "overdue_detail": {"completed_late": completed_late, "open_past_due": open_past_due},
        "complaints": _sum(all_case_rows, "complaints") + _sum(complaints.values(), "received"),
        "complaints_completed": _sum(all_case_rows, "complaints_completed") + _sum(complaints.values(), "answered"),
        "complaints_detail": {
            "cases": _sum(all_case_rows, "complaints"),
            "received": _sum(complaints.values(), "received"),
            "answered": _sum(complaints.values(), "answered"),
            "overdue": _sum(complaints.values(), "overdue"),
        },
        "satisfaction": {"good": good, "neutral": neutral, "bad": bad, "rated": rated, "rate": rate(good, rated)},
        "trend": _trend(center_obj, first_day),
        "has_cases": bool(received or completed or open_past_due),
    }
