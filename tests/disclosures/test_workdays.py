"""Working days: weekends, holidays, make-up working days (调休), Asia/Shanghai dates."""

import datetime

import pytest

from core import timezones
from disclosures import workdays
from disclosures.models import Holiday
from disclosures.workdays import Calendar

D = datetime.date.fromisoformat


def test_plain_week_without_holidays():
    calendar = Calendar(holidays={})
    # 2026-03-06 is a Friday: 1 working day later is Monday the 9th.
    assert calendar.add_working_days(D("2026-03-06"), 1) == D("2026-03-09")
    assert calendar.add_working_days(D("2026-03-06"), 5) == D("2026-03-13")
    assert calendar.add_working_days(D("2026-03-06"), 0) == D("2026-03-06")
    # Received on a Saturday: the first working day after it is Monday.
    assert calendar.add_working_days(D("2026-03-07"), 1) == D("2026-03-09")
    assert calendar.working_days_between(D("2026-03-06"), D("2026-03-13")) == 5
    assert calendar.working_days_between(D("2026-03-13"), D("2026-03-06")) == 0
    assert not calendar.is_workday(D("2026-03-07"))


def test_official_calendar_national_day_2026():
    holidays = {day: is_workday for day, _name, is_workday in workdays.official_holidays()}
    calendar = Calendar(holidays=holidays)
    # Sunday 2026-09-20 is a make-up working day; 1–7 October are off; Saturday 10 October works.
    assert calendar.is_workday(D("2026-09-20"))
    assert not calendar.is_workday(D("2026-10-05"))
    assert calendar.is_workday(D("2026-10-10"))
    # From Wednesday 30 September: 8th (Thu) off ... next working days are 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat).
    assert calendar.add_working_days(D("2026-09-30"), 1) == D("2026-10-08")
    assert calendar.add_working_days(D("2026-09-30"), 3) == D("2026-10-10")
    assert calendar.working_days_between(D("2026-09-30"), D("2026-10-12")) == 4


def test_spans_years_and_long_limits():
    calendar = Calendar(holidays={})
    assert calendar.add_working_days(D("2025-12-31"), 1) == D("2026-01-01")
    far = calendar.add_working_days(D("2026-01-01"), 600)
    assert calendar.working_days_between(D("2026-01-01"), far) == 600


def test_local_date_uses_shanghai():
    utc = datetime.UTC
    # 17:30 UTC on the 6th is 01:30 on the 7th in Shanghai.
    assert timezones.local_date(datetime.datetime(2026, 3, 6, 17, 30, tzinfo=utc)) == D("2026-03-07")


@pytest.mark.django_db
def test_database_calendar_follows_editor_changes():
    workdays.seed_official_holidays()
    assert workdays.is_workday(D("2026-10-10"))  # make-up day from the demo holidays
    day = D("2027-03-03")  # an ordinary Wednesday
    assert workdays.is_workday(day)
    holiday = Holiday.objects.create(date=day, name="测试假日")
    assert not workdays.is_workday(day)  # the cache was invalidated by the save
    holiday.is_workday = True
    holiday.save()
    assert workdays.is_workday(day)
    holiday.delete()
    assert workdays.add_working_days(D("2027-03-02"), 1) == day


@pytest.mark.django_db
def test_seed_official_holidays_is_idempotent_and_keeps_edits():
    workdays.seed_official_holidays()
    Holiday.objects.filter(date=D("2026-10-01")).update(name="国庆（已编辑）")
    assert workdays.seed_official_holidays() == 0
    assert Holiday.objects.get(date=D("2026-10-01")).name == "国庆（已编辑）"
    assert Holiday.objects.filter(date__year=2026, is_workday=True).count() == 6
